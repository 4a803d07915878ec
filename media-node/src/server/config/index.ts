/** The node config: file formats, schema, validation, server id. */
export { ConfigError } from './config-error.ts';
export type { ConfigErrorCode } from './config-error.ts';
export { nodeConfigSchema, SERVER_ID_PATTERN } from './config-schema.ts';
export type { ConfigOverrides, NodeConfig, ParsedConfig } from './config-schema.ts';
export { loadNodeConfig, parseConfigText, MAX_CONFIG_BYTES } from './load-config.ts';
export type { LoadConfigOptions } from './load-config.ts';
export { validateConfig } from './validate-config.ts';
export { generateServerId, generateServiceId, randomId, resolveServerId, SERVER_ID_FILE } from './server-id.ts';
export { parseYamlSubset } from './yaml-subset.ts';
