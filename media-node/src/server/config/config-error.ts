/**
 * Why a node config could not be loaded. `code` is stable (the CLI maps every
 * code to exit status 2: the operator has to fix the file or the flags);
 * `message` is one line meant for a person and always starts with `config:`.
 */
export type ConfigErrorCode =
  /** The file could not be read (missing, permissions). */
  | 'config_unreadable'
  /** The file is not valid JSON or not in the supported YAML subset. */
  | 'config_syntax'
  /** The document parsed but a value is wrong or a key is unknown. */
  | 'config_invalid';

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  /** One line per problem (`config: play.mw_latency_ms: expected ...`). */
  readonly problems: readonly string[];

  constructor(code: ConfigErrorCode, problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.code = code;
    this.problems = problems;
  }
}
