// Command-line wiring only: parse flags, call a command, map errors to exit codes.
import { Command, CommanderError, Option } from 'commander';
import { CommandFailure, InputError, UsageError } from './diagnostics.js';
import { printDiagnostics, type GlobalOptions } from './report.js';
import { counted } from './text.js';
import { VERSION } from './version.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** An option that may be given several times; the values are kept in order. */
function repeatable(flags: string, description: string): Option {
  return new Option(flags, description).argParser(collect);
}

/** A Command whose chain can take a whole option group; subcommands are made of it too. */
class KongcCommand extends Command {
  override createCommand(name?: string): KongcCommand {
    return new KongcCommand(name);
  }

  /** Adds the options in the order given, which is the order `--help` lists them in. */
  addOptions(options: Option[]): this {
    for (const option of options) this.addOption(option);
    return this;
  }
}

// Option groups shared by several commands, each defined once so that a flag means and reads the
// same wherever it appears. Parameters cover only what genuinely differs between commands.

const FILES_HELP = 'declarative files (YAML or JSON) or folders of them; default: kong.yaml or kong.yml here';

/** decK's --select-tag: every entity kept carries all the given tags. */
function selectTag(): Option {
  return repeatable('--select-tag <tag>', 'only entities carrying this tag; repeat it to ask for entities carrying all of them (as decK)');
}

function outputOption(): Option {
  return new Option('-o, --output <file>', 'write atomically to this file instead of stdout');
}

/** `description` differs for explain, which answers against the log rather than compiling it. */
function fromLogOption(description = 'compile from a log of Kong Admin API calls'): Option {
  return new Option('--from-log <log>', description);
}

function nginxOption(description = 'nginx binary'): Option {
  return new Option('--nginx <bin>', description).default('nginx');
}

/** Where the compiled config listens and the certificate for SNIs no certificate names. */
function listenOptions(): Option[] {
  return [
    repeatable('--listen <addr>', 'proxy listen address, repeatable (default 8000, like Kong)'),
    repeatable('--listen-tls <addr>', 'TLS proxy listen address, repeatable (default 8443 when the config has certificates)'),
    repeatable('--listen-stream <addr>', "stream listen address, repeatable: ADDR, 'ADDR udp' or 'ADDR ssl' (off by default, like Kong's stream_listen)"),
    new Option('--default-cert <file>', 'PEM certificate for SNIs no certificate names (default: a generated development certificate)'),
    new Option('--default-key <file>', 'PEM key of --default-cert'),
  ];
}

/**
 * What compiling does with what nginx cannot do as Kong does. Commands that produce nginx config
 * (`'compile'`) leave such parts out or approximate them; validate and explain (`'report'`) only
 * report them, and have no response headers to add. `strictFromLog`: the command passes --strict
 * on to the replay of --from-log, so Kong-rejected calls fail too.
 */
function compileBehaviourOptions(use: 'compile' | 'report', { strict = true, strictFromLog = false } = {}): Option[] {
  const compiles = use === 'compile';
  return [
    new Option('--skip-unsupported', compiles ? 'report entities kongc cannot compile as warnings and leave them out' : 'report entities kongc cannot compile as warnings'),
    new Option('--with-njs', 'compile what needs JavaScript at request time (jwt …) for nginx with the njs module (libnginx-mod-http-js)'),
    new Option('--allow-degraded', compiles ? 'emit the nearest nginx behaviour (with a warning) where nginx cannot do what Kong does' : 'report features nginx cannot reproduce exactly as warnings'),
    ...(compiles ? [new Option('--kong-headers', "add Kong's Via and X-Kong-*-Latency response headers")] : []),
    ...(strict ? [new Option('--strict', `approximations (a Kong plugin nginx can only come close to) are errors${strictFromLog ? '; with --from-log, calls Kong would reject too' : ''}`)] : []),
  ];
}

/**
 * Folders for the files nginx reads or writes at run time. They default to the folder of the
 * include the command writes, named by `besideFlag` (-o or --target); only build takes --ca-dir.
 */
function runtimeDirOptions(besideFlag: '-o' | '--target', { caDir = false } = {}): Option[] {
  return [
    ...(caDir ? [new Option('--ca-dir <dir>', `folder for the CA bundle files of service ca_certificates (default: the folder of ${besideFlag})`)] : []),
    new Option('--secrets-dir <dir>', `folder for credential files nginx reads (mode 0600; default: the folder of ${besideFlag})`),
    new Option('--state-dir <dir>', `folder where nginx keeps plugin state, e.g. proxy-cache directories (default: the folder of ${besideFlag})`),
  ];
}

/** How apply and rollback reach nginx on this host, and their transaction's lock, backups and deadline. */
function hostOptions(): Option[] {
  return [
    nginxOption(),
    new Option('--nginx-conf <main>', 'main nginx.conf (passed as -c)'),
    new Option('--prefix <dir>', 'nginx prefix (passed as -p)'),
    new Option('--test-cmd <cmd>', 'command that tests the config (default: nginx [-p] [-c] -t)'),
    new Option('--reload-cmd <cmd>', 'command that reloads nginx (default: nginx [-p] [-c] -s reload)'),
    new Option('--start', 'start nginx (after the test) when it is not running, instead of failing'),
    new Option('--backups <n>', 'distinct numbered backups to keep').default('5'),
    new Option('--lock <path>', 'lock file (default: .<name>.lock beside the target)'),
    new Option('--timeout <seconds>', 'how long to wait for the lock and for the reload to take effect').default('30'),
  ];
}

export function buildProgram(): Command {
  const program = new KongcCommand('kongc')
    .description('Compile Kong declarative configuration (kong.yaml, decK files) or a log of Kong Admin API calls into plain nginx configuration.')
    .version(`kongc ${VERSION}`, '-V, --version', 'print the version')
    .option('--debug', 'print stack traces for internal errors')
    .addOption(new Option('--reporter <kind>', 'how diagnostics are printed (json: one object per line; github: Actions annotations)').choices(['text', 'json', 'github']).default('text'))
    .option('-q, --quiet', 'do not print warnings')
    .option('--fail-on-warnings', 'exit 1 when there is any warning (for CI)')
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    // A usage error is one line and a pointer to the help, not the whole help.
    .showHelpAfterError("(run 'kongc --help' for usage)")
    .showSuggestionAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: (s, write) => write(`kongc: ${s}`) });

  program
    .command('build')
    .description('compile Kong configuration into an nginx include for the http{} context')
    .argument('[files...]', FILES_HELP)
    .addOption(selectTag())
    .addOption(outputOption())
    .option('--stream-output <file>', 'write the stream {} include (tcp, tls, udp and tls_passthrough routes) to this file')
    .addOptions(listenOptions())
    .addOption(fromLogOption())
    .option('--check', 'also run `nginx -t` on the result inside a minimal wrapper config')
    .addOption(nginxOption('nginx binary used by --check'))
    .addOption(new Option('--format <format>', 'output format').choices(['nginx', 'json']).default('nginx'))
    .addOptions(compileBehaviourOptions('compile', { strictFromLog: true }))
    .addOptions(runtimeDirOptions('-o', { caDir: true }))
    .addHelpText('after', `
Examples:
  kongc build fixtures/seed/kong.yaml
  kongc build kong.yaml --listen 127.0.0.1:8080 -o /etc/nginx/conf.d/kong.conf --check
  kongc build --from-log admin-calls.sh --format json`)
    .action(async (files: string[], opts) => (await import('./commands/build.js')).runBuild(files, opts, program.opts()));

  program
    .command('validate')
    .description('check configuration (schema and semantics) without compiling')
    .argument('[files...]', FILES_HELP)
    .addOption(selectTag())
    .addOptions(compileBehaviourOptions('report'))
    .addHelpText('after', `
Examples:
  kongc validate kong.yaml
  kongc validate --reporter github services/*.yaml`)
    .action(async (files: string[], opts) => (await import('./commands/validate.js')).runValidate(files, opts, program.opts()));

  program
    .command('explain')
    .description('which route a request reaches and why, and what nginx sends upstream')
    .argument('<args...>', 'declarative files or folders (default: kong.yaml here), then the request: "GET http://host:port/path?query" (https:// sends the host as SNI)')
    .option('-H, --header <header>', 'a request header "Name: value", repeatable (Host replaces the URL\'s)', collect)
    .addOption(selectTag())
    .addOption(fromLogOption('explain against a log of Kong Admin API calls'))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOptions(compileBehaviourOptions('report', { strict: false }))
    .addHelpText('after', `
Examples:
  kongc explain kong.yaml "GET http://api.example.com:8000/users/42?x=1"
  kongc explain "POST http://localhost:8000/orders" -H "X-Version: 2"
  kongc explain kong.yaml "GET https://api.example.com/users"   (over TLS, SNI api.example.com)`)
    .action(async (args: string[], opts) => (await import('./commands/explain.js')).runExplain(args, opts, program.opts()));

  program
    .command('replay')
    .description('replay a log of Kong Admin API calls and write the resulting state as Kong declarative YAML')
    .argument('<log>', 'shell script, Markdown or text with curl / HTTPie calls')
    .addOption(outputOption())
    .option('--keep-ids', 'keep entity ids in the YAML')
    .option('--strict', 'calls Kong would reject are errors (exit 1)')
    .addHelpText('after', `
Examples:
  kongc replay fixtures/seed/kong-load-balancing.md -o kong.yaml`)
    .action(async (log: string, opts) => (await import('./commands/replay.js')).runReplay(log, opts, program.opts()));

  program
    .command('diff')
    .description('what would change: Kong entities added, changed and removed, then a unified diff of the nginx include')
    .argument('[files...]', FILES_HELP)
    .addOption(selectTag())
    .option('--target <path>', 'the installed nginx include (its kept Kong state is compared too)')
    .option('--stream-target <path>', 'the installed stream {} include (tcp, tls, udp routes)')
    .option('--from-state <file>', 'compare Kong entities with this state instead: a state file kept by kongc apply, or a Kong declarative file')
    .addOptions(listenOptions())
    .addOption(fromLogOption())
    .option('--exit-code', 'exit 3 when anything differs')
    .addOptions(compileBehaviourOptions('compile'))
    .addHelpText('after', `
Examples:
  kongc diff kong.yaml --target /etc/nginx/conf.d/kong.conf
  kongc diff kong.yaml --from-state old-kong.yaml --exit-code`)
    .action(async (files: string[], opts) => (await import('./commands/diff.js')).runDiff(files, opts, program.opts()));

  program
    .command('apply')
    .description('install the compiled config on this host: lock, atomic write, nginx -t, reload, verify, roll back on failure')
    .argument('[files...]', FILES_HELP)
    .addOption(selectTag())
    .requiredOption('--target <path>', 'the nginx include to write')
    .option('--stream-target <path>', 'the stream {} include to write with it, as one unit (tcp, tls, udp routes)')
    .addOptions(listenOptions())
    .addOption(fromLogOption())
    .option('--dry-run', 'render and test inside a temporary copy of the nginx configuration; change nothing')
    .addOptions(compileBehaviourOptions('compile'))
    .addOptions(runtimeDirOptions('--target'))
    .addOptions(hostOptions())
    .addHelpText('after', `
Examples:
  kongc apply kong.yaml --target /etc/nginx/conf.d/kong.conf
  kongc apply kong.yaml --target /etc/nginx/conf.d/kong.conf --dry-run`)
    .action(async (files: string[], opts) => (await import('./commands/apply.js')).runApply(files, opts, program.opts()));

  program
    .command('dev')
    .description('compile, run nginx in the foreground on a temp prefix, and re-apply on every change to the files (Ctrl-C stops it)')
    .argument('[files...]', FILES_HELP)
    .addOption(selectTag())
    .addOptions(listenOptions())
    .addOption(nginxOption())
    .addOptions(compileBehaviourOptions('compile'))
    .addHelpText('after', `
Examples:
  kongc dev                          # kong.yaml here, served on :8000
  kongc dev kong/ --listen 127.0.0.1:9000`)
    .action(async (files: string[], opts) => (await import('./commands/dev.js')).runDev(files, opts, program.opts()));

  program
    .command('rollback')
    .description('put a kept backup of the target back (by default the newest that differs from it): lock, write, nginx -t, reload, verify')
    .requiredOption('--target <path>', 'the nginx include kongc apply writes')
    .option('--to <n>', 'restore backup N (see --list) instead of the newest distinct one')
    .option('--list', 'list the kept backups and change nothing')
    .addOptions(hostOptions())
    .addHelpText('after', `
Examples:
  kongc rollback --target /etc/nginx/conf.d/kong.conf --list
  kongc rollback --target /etc/nginx/conf.d/kong.conf
  kongc rollback --target /etc/nginx/conf.d/kong.conf --to 3`)
    .action(async (opts) => (await import('./commands/rollback.js')).runRollback(opts));

  program
    .command('schema')
    .description('print the JSON Schema of the declarative format kongc accepts (for editors)')
    .action(async () => (await import('./commands/schema.js')).runSchema());

  program
    .command('version')
    .description('print the version')
    .action(() => void process.stdout.write(`kongc ${VERSION}\n`));

  for (const command of program.commands) command.showHelpAfterError(`(run 'kongc ${command.name()} --help' for usage)`);
  return program;
}

let pipeWatched = false;

/** `kongc build … | head`: a reader that stops early is not an error. */
function quietOnClosedPipe(): void {
  if (pipeWatched) return;
  pipeWatched = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
}


export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipe();
  const program = buildProgram();
  let debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    debug = Boolean(program.opts().debug);
  } catch (err) {
    process.exitCode = exitCodeFor(err, debug, program.opts(), commandIn(program, argv));
  }
}

/** The subcommand named on the command line, for the usage hint. */
function commandIn(program: Command, argv: string[]): string | null {
  const names = new Set(program.commands.map((c) => c.name()));
  return argv.slice(2).find((a) => names.has(a)) ?? null;
}

function exitCodeFor(err: unknown, debug: boolean, global: GlobalOptions, command: string | null): number {
  if (err instanceof CommanderError) {
    // --help and --version end through exitOverride with code 0.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`kongc: error: ${err.message}\n(run 'kongc${command ? ' ' + command : ''} --help' for usage)\n`);
    return 2;
  }
  if (err instanceof InputError) {
    printDiagnostics(err.diagnostics, global);
    // JSON output stays one object per line; the count is theirs to make.
    if (global.reporter !== 'json') process.stderr.write(`kongc: ${counted(err.diagnostics.filter((d) => d.severity === 'error').length, 'error')}\n`);
    return 1;
  }
  if (err instanceof CommandFailure) {
    process.stderr.write(`kongc: ${err.message}\n`);
    if (debug && err.stack) process.stderr.write(err.stack + '\n');
    return err.exitCode;
  }
  const e = err as Error;
  process.stderr.write(`kongc: internal error: ${e?.message ?? String(err)}\n`);
  if (debug && e?.stack) process.stderr.write(e.stack + '\n');
  else process.stderr.write('kongc: run again with --debug for a stack trace, and please report it\n');
  return 70;
}
