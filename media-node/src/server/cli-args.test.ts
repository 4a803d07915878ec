import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mainHelp, nodeHelp, parseCli, readyBanner, readyUrls, UsageError } from './cli-args.ts';
import { validateConfig } from './config/validate-config.ts';

function usageError(argv: string[]): string {
  try {
    parseCli(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`);
}

describe('parseCli', () => {
  it('reads every node flag into config overrides', () => {
    const cmd = parseCli([
      'node', '-c', 'node.yaml', '--rtmp-port', '1936', '--http-port=0', '--api-port', '1986', '--srt-port', '10081',
      '--rtc-port', '8001', '--data-dir', '/var/lib/runnel', '--log-format', 'json', '--log-level', 'debug',
    ]);
    expect(cmd).toEqual({
      kind: 'node',
      configFile: 'node.yaml',
      overrides: {
        listen: { rtmp: 1936, http: 0, api: 1986, srt: 10081, rtc: 8001 },
        dataDir: '/var/lib/runnel',
        log: { format: 'json', level: 'debug' },
      },
    });
    // the overrides are valid config input
    if (cmd.kind !== 'node') throw new Error('node expected');
    expect(validateConfig(null, cmd.overrides).listen.srt).toBe(10081);
  });

  it('with no flags overrides nothing', () => {
    const cmd = parseCli(['node']);
    if (cmd.kind !== 'node') throw new Error('node expected');
    expect(cmd.configFile).toBeUndefined();
    expect(validateConfig(null, cmd.overrides)).toStrictEqual(validateConfig(null));
  });

  it('answers help and version', () => {
    expect(parseCli(['--help'])).toEqual({ kind: 'help', text: mainHelp(), exitCode: 0 });
    expect(parseCli(['-h'])).toMatchObject({ kind: 'help', exitCode: 0 });
    expect(parseCli([])).toEqual({ kind: 'help', text: mainHelp(), exitCode: 2 });
    expect(parseCli(['node', '--help'])).toEqual({ kind: 'help', text: nodeHelp(), exitCode: 0 });
    expect(parseCli(['node', '--rtmp-port', '1', '-h'])).toMatchObject({ kind: 'help', exitCode: 0 });
    expect(parseCli(['--version'])).toEqual({ kind: 'version' });
    expect(parseCli(['-v'])).toEqual({ kind: 'version' });
  });

  it('passes the arguments of start to the platform launcher', () => {
    expect(parseCli(['start', '--port', '9000', '--data-dir', 'x'])).toEqual({ kind: 'start', argv: ['--port', '9000', '--data-dir', 'x'] });
    expect(mainHelp()).toContain('runnel start');
  });

  it('reserves bench and passes its arguments through', () => {
    expect(parseCli(['bench', 'rtmp', '--players', '100'])).toEqual({ kind: 'bench', argv: ['rtmp', '--players', '100'] });
    expect(mainHelp()).not.toContain('bench');
  });

  it.each([
    [['nod'], 'unknown command "nod". Did you mean "node"? Run "runnel --help" to see the commands.'],
    [['--verbose'], 'unknown command "--verbose". Run "runnel --help" to see the commands.'],
    [['node', '--rtmp-prt', '5'], 'unknown flag "--rtmp-prt". Did you mean "--rtmp-port"? Run "runnel node --help" to see the flags.'],
    [['node', '--rtmp-port', 'abc'], '--rtmp-port: expected a port number from 0 to 65535 (0 = any free port), got "abc". Run "runnel node --help" to see the flags.'],
    [['node', '--api-port', '65536'], '--api-port: expected a port number from 0 to 65535 (0 = any free port), got "65536". Run "runnel node --help" to see the flags.'],
    [['node', '--srt-port', '-1'], '--srt-port needs a value. Run "runnel node --help" to see the flags.'],
    [['node', '--api-port'], '--api-port needs a value. Run "runnel node --help" to see the flags.'],
    [['node', '--help=yes'], '--help takes no value. Run "runnel node --help" to see the flags.'],
    [['node', 'node.yaml'], 'unexpected argument "node.yaml" ("runnel node" takes flags only; the config file goes after -c). Run "runnel node --help" to see the flags.'],
    [['node', '--log-format', 'xml'], '--log-format: expected one of text, json, got "xml". Run "runnel node --help" to see the flags.'],
    [['node', '--log-level', 'trace'], '--log-level: expected one of debug, info, warn, error, got "trace". Run "runnel node --help" to see the flags.'],
    [['node', '--data-dir', ''], '--data-dir needs a directory. Run "runnel node --help" to see the flags.'],
  ])('%j -> a message saying what to do', (argv, message) => {
    expect(usageError(argv)).toBe(message);
  });
});

describe('help and ready output', () => {
  it('node help explains every flag with the schema defaults and shows publish/play examples', () => {
    const help = nodeHelp();
    const d = validateConfig(null);
    for (const flag of ['--config', '--rtmp-port', '--http-port', '--api-port', '--srt-port', '--rtc-port', '--data-dir', '--log-format', '--log-level', '--help']) {
      expect(help).toContain(flag);
    }
    for (const [flag, value] of [['--rtmp-port N', d.listen.rtmp], ['--http-port N', d.listen.http], ['--api-port N', d.listen.api], ['--srt-port N', d.listen.srt], ['--rtc-port N', d.listen.rtc]] as const) {
      expect(help).toMatch(new RegExp(`${flag}.*\\(default ${value}\\)`));
    }
    expect(help).toContain(`-f flv rtmp://127.0.0.1:${d.listen.rtmp}/live/livestream`);
    expect(help).toContain(`ffplay http://127.0.0.1:${d.listen.http}/live/livestream.flv`);
    expect(help).toContain(`-f mpegts 'srt://127.0.0.1:${d.listen.srt}?streamid=#!::r=live/livestream,m=publish'`);
    expect(help).toContain(`http://127.0.0.1:${d.listen.http}/rtc/v1/whip/?app=live&stream=livestream`);
    expect(help).toContain('SRS_SERVER_ID');
  });

  it('prints URLs only for running listeners, loopback for a wildcard bind', () => {
    const info = { version: '0.1.0', serverId: 'vid-abc1234', host: '0.0.0.0', ports: { rtmp: 1935, http: 8080, api: 1985, srt: 10080 } };
    expect(readyBanner(info)).toBe(
      [
        'runnel 0.1.0 node vid-abc1234 ready',
        '  publish  rtmp://127.0.0.1:1935/live/livestream',
        '           srt://127.0.0.1:10080?streamid=#!::r=live/livestream,m=publish',
        '  play     rtmp://127.0.0.1:1935/live/livestream',
        '           http://127.0.0.1:8080/live/livestream.flv',
        '           srt://127.0.0.1:10080?streamid=#!::r=live/livestream,m=request',
        '  api      http://127.0.0.1:1985/api/v1/summaries',
        '',
      ].join('\n'),
    );
    expect(readyUrls({ ...info, host: '::1', ports: { rtmp: 0, http: 8080, api: null } })).toEqual({
      publish: [],
      play: ['http://[::1]:8080/live/livestream.flv'],
      api: [],
    });
    expect(readyUrls({ ...info, host: '10.0.0.5' }).publish).toEqual(['rtmp://10.0.0.5:1935/live/livestream', 'srt://10.0.0.5:10080?streamid=#!::r=live/livestream,m=publish']);
    const rtc = readyUrls({ ...info, ports: { ...info.ports, rtc: 8000 } });
    expect(rtc.publish.at(-1)).toBe('http://127.0.0.1:8080/rtc/v1/whip/?app=live&stream=livestream');
    expect(rtc.play.at(-1)).toBe('http://127.0.0.1:8080/rtc/v1/whep/?app=live&stream=livestream');
    expect(readyUrls({ ...info, ports: { ...info.ports, rtc: 8000, http: null } }).publish.some((u) => u.includes('/rtc/'))).toBe(false);
  });
});

// The real command, as a person runs it.
const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], opts: { cwd: string; env?: Record<string, string>; onStdout?: (all: string, kill: () => void, signal: (s: NodeJS.Signals) => void) => void }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    // A node that never gets ready must not outlive the test.
    const guard = setTimeout(() => child.kill('SIGKILL'), 4000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      opts.onStdout?.(stdout, () => child.kill('SIGTERM'), (sig) => child.kill(sig));
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('runnel command', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runnel-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--version prints the version; bad flags exit 2 with the message on stderr', async () => {
    const [version, bad] = await Promise.all([runCli(['--version'], { cwd: dir }), runCli(['node', '--rtmp-port', 'x'], { cwd: dir })]);
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^runnel \d+\.\d+\.\d+\n$/) as unknown });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('runnel: --rtmp-port: expected a port number');
  });

  it('a config error exits 2 naming the key', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'play:\n  mw_latency_ms: abc\n');
    const r = await runCli(['node', '-c', 'bad.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('runnel: config: play.mw_latency_ms: expected a whole number of milliseconds from 0 to 10000, got "abc"\n');
  });

  it('a stray unhandled rejection is logged with its stack and the node keeps serving', async () => {
    await writeFile(join(dir, 'json.yaml'), 'log:\n  format: json\n');
    let servedAfter: number | undefined;
    let asked = false;
    // A module loaded before the CLI that rejects a promise nobody handles when told (SIGUSR2), once the node is up.
    // (NODE_OPTIONS splits on spaces: the module's source has none.)
    const stray = `data:text/javascript,process.on('SIGUSR2',()=>Promise.reject(new%20Error('stray_rejection')))`;
    const r = await runCli(['node', '-c', 'json.yaml', '--rtmp-port', '0', '--http-port', '0', '--api-port', '0', '--srt-port', '0', '--rtc-port', '0', '--data-dir', 'state2'], {
      cwd: dir,
      env: { SRS_SERVER_ID: 'vid-clitest', NODE_OPTIONS: `--import=${stray}` },
      onStdout: (all, kill, signal) => {
        const ready = all.split('\n').find((l) => l.includes('"event":"ready"'));
        if (ready === undefined || asked) return;
        asked = true;
        const api = (JSON.parse(ready) as { api: string[] }).api[0]!;
        signal('SIGUSR2');
        new Promise((res) => setTimeout(res, 300))
          .then(() => fetch(api))
          .then((res) => {
            servedAfter = res.status;
          })
          .finally(kill);
      },
    });
    expect(servedAfter).toBe(200);
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.includes('"event":"unhandled_rejection"'));
    expect(line).toContain('stray_rejection');
  });

  it('node starts, prints its URLs, serves the API, and stops cleanly on SIGTERM', async () => {
    await writeFile(join(dir, 'node.yaml'), 'log:\n  format: json\n');
    let api: string | undefined;
    let served: string | undefined;
    let asked = false;
    const r = await runCli(['node', '-c', 'node.yaml', '--rtmp-port', '0', '--http-port', '0', '--api-port', '0', '--srt-port', '0', '--rtc-port', '0', '--data-dir', 'state'], {
      cwd: dir,
      env: { SRS_SERVER_ID: 'vid-clitest' },
      onStdout: (all, kill) => {
        const ready = all.split('\n').find((l) => l.includes('"event":"ready"'));
        if (ready === undefined || asked) return;
        asked = true;
        api = (JSON.parse(ready) as { api: string[] }).api[0];
        fetch(api.replace('/summaries', '/versions'))
          .then((res) => res.json() as Promise<{ server?: string }>)
          .then((body) => {
            served = body.server;
          })
          .finally(kill);
      },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(api).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/summaries$/);
    expect(served).toBe('vid-clitest');
    const events = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { event: string }).event);
    expect(events.slice(-2)).toEqual(['stopping', 'stopped']);
    await expect(readFile(join(dir, 'state', 'server_id'), 'utf8')).rejects.toThrow();
  });
});
