// Import-direction rules from shared/style.md ("Layout we aim for"):
// media-node -> shared, control-plane -> shared, never between them; inside
// media-node, pure layers (codec, format) import nothing with IO, protocols
// never import each other, and only protocol/rtc imports werift.
/** @type {import('dependency-cruiser').IConfiguration} */
// eslint-disable-next-line no-undef
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'shared-is-a-leaf', severity: 'error', from: { path: '^shared/' }, to: { path: '^(media-node|control-plane)/' } },
    { name: 'node-not-control-plane', severity: 'error', from: { path: '^media-node/' }, to: { path: '^control-plane/' } },
    { name: 'control-plane-not-node', severity: 'error', from: { path: '^control-plane/' }, to: { path: '^media-node/' } },
    {
      name: 'pure-codec-format',
      comment: 'codec/ and format/ are pure: no IO, no upper layers',
      severity: 'error',
      from: { path: '^media-node/src/(codec|format)/' },
      to: { path: '^media-node/src/(protocol|hub|output|storage|server|bench)/|^node:(fs|net|dgram|http|https|child_process|os|worker_threads)$|^(fs|net|dgram|http|https|child_process|os)$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'codec-below-format',
      severity: 'error',
      from: { path: '^media-node/src/codec/' },
      to: { path: '^media-node/src/format/' },
    },
    {
      name: 'protocol-below-hub',
      comment: 'protocol engines know bytes and messages, not the hub, outputs or server',
      severity: 'error',
      from: { path: '^media-node/src/protocol/' },
      to: { path: '^media-node/src/(output|storage|server|bench)/' },
    },
    {
      name: 'protocols-independent',
      severity: 'error',
      from: { path: '^media-node/src/protocol/([^/]+)/' },
      to: { path: '^media-node/src/protocol/([^/]+)/', pathNot: '^media-node/src/protocol/$1/' },
    },
    {
      name: 'hub-below-outputs',
      severity: 'error',
      from: { path: '^media-node/src/hub/' },
      to: { path: '^media-node/src/(protocol|output|storage|server|bench)/' },
    },
    {
      name: 'output-below-server',
      severity: 'error',
      from: { path: '^media-node/src/(output|storage)/' },
      to: { path: '^media-node/src/(server|bench|protocol)/' },
    },
    {
      name: 'werift-only-in-rtc',
      severity: 'error',
      from: { pathNot: '^media-node/src/protocol/rtc/' },
      to: { path: 'node_modules/werift' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
