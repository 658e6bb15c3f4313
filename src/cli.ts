// Command-line wiring only: parse flags, call a command, map errors to exit codes.
import { Command, CommanderError, Option } from 'commander';
import { CommandFailure, InputError, UsageError } from './diagnostics.js';
import { printDiagnostics, type GlobalOptions } from './report.js';
import { counted } from './text.js';
import { VERSION } from './version.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const FILES_HELP = 'declarative files (YAML or JSON) or folders of them; default: kong.yaml or kong.yml here';

/** decK's --select-tag: every entity kept carries all the given tags. */
function selectTag(): Option {
  return new Option('--select-tag <tag>', 'only entities carrying this tag; repeat it to ask for entities carrying all of them (as decK)').argParser(collect);
}

export function buildProgram(): Command {
  const program = new Command('kongc')
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
    .option('-o, --output <file>', 'write atomically to this file instead of stdout')
    .option('--listen <addr>', 'proxy listen address, repeatable (default 8000, like Kong)', collect)
    .option('--listen-tls <addr>', 'TLS proxy listen address, repeatable (default 8443 when the config has certificates)', collect)
    .option('--default-cert <file>', 'PEM certificate for SNIs no certificate names (default: a generated development certificate)')
    .option('--default-key <file>', 'PEM key of --default-cert')
    .option('--from-log <log>', 'compile straight from a log of Kong Admin API calls')
    .option('--check', 'also run `nginx -t` on the result inside a minimal wrapper config')
    .option('--nginx <bin>', 'nginx binary used by --check', 'nginx')
    .addOption(new Option('--format <format>', 'output format').choices(['nginx', 'json']).default('nginx'))
    .option('--skip-unsupported', 'report entities kongc cannot compile as warnings and leave them out')
    .option('--with-njs', 'compile what needs JavaScript at request time (jwt …) for nginx with the njs module (libnginx-mod-http-js)')
    .option('--allow-degraded', 'emit the nearest nginx behaviour (with a warning) where nginx cannot do what Kong does')
    .option('--kong-headers', "add Kong's Via and X-Kong-*-Latency response headers")
    .option('--ca-dir <dir>', 'folder for the CA bundle files of service ca_certificates (default: the folder of -o)')
    .option('--secrets-dir <dir>', 'folder for credential files nginx reads (mode 0600; default: the folder of -o)')
    .option('--state-dir <dir>', 'folder where nginx keeps plugin state, e.g. proxy-cache directories (default: the folder of -o)')
    .option('--strict', 'approximations (a Kong plugin nginx can only come close to) are errors; with --from-log, calls Kong would reject too')
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
    .option('--skip-unsupported', 'report entities kongc cannot compile as warnings')
    .option('--with-njs', 'compile what needs JavaScript at request time (jwt …) for nginx with the njs module (libnginx-mod-http-js)')
    .option('--allow-degraded', 'report features nginx cannot reproduce exactly as warnings')
    .option('--strict', 'approximations (a Kong plugin nginx can only come close to) are errors')
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
    .option('--from-log <log>', 'explain against a log of Kong Admin API calls')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--skip-unsupported', 'report entities kongc cannot compile as warnings')
    .option('--with-njs', 'compile what needs JavaScript at request time (jwt …) for nginx with the njs module (libnginx-mod-http-js)')
    .option('--allow-degraded', 'report features nginx cannot reproduce exactly as warnings')
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
    .option('-o, --output <file>', 'write atomically to this file instead of stdout')
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
    .option('--from-state <file>', 'compare Kong entities with this state instead: a state file kept by kongc apply, or a Kong declarative file')
    .option('--listen <addr>', 'proxy listen address, repeatable', collect)
    .option('--listen-tls <addr>', 'TLS proxy listen address, repeatable (default 8443 when the config has certificates)', collect)
    .option('--default-cert <file>', 'PEM certificate for SNIs no certificate names (default: a generated development certificate)')
    .option('--default-key <file>', 'PEM key of --default-cert')
    .option('--from-log <log>', 'compile from a log of Kong Admin API calls')
    .option('--exit-code', 'exit 3 when anything differs')
    .option('--skip-unsupported', 'leave out entities kongc cannot compile (warnings)')
    .option('--with-njs', 'compile what needs JavaScript at request time (jwt …) for nginx with the njs module (libnginx-mod-http-js)')
    .option('--allow-degraded', 'accept nearest-nginx behaviour with warnings')
    .option('--kong-headers', "add Kong's Via and X-Kong-*-Latency response headers")
    .option('--strict', 'approximations (a Kong plugin nginx can only come close to) are errors')
    .addHelpText('after', `
Examples:
  kongc diff kong.yaml --target /etc/nginx/conf.d/kong.conf
  kongc diff kong.yaml --from-state old-kong.yaml --exit-code`)
    .action(async (files: string[], opts) => (await import('./commands/diff.js')).runDiff(files, opts, program.opts()));

  hostOptions(program
    .command('apply')
    .description('install the compiled config on this host: lock, atomic write, nginx -t, reload, verify, roll back on failure')
    .argument('[files...]', FILES_HELP)
    .addOption(selectTag())
    .requiredOption('--target <path>', 'the nginx include to write')
    .option('--listen <addr>', 'proxy listen address, repeatable', collect)
    .option('--listen-tls <addr>', 'TLS proxy listen address, repeatable (default 8443 when the config has certificates)', collect)
    .option('--default-cert <file>', 'PEM certificate for SNIs no certificate names (default: a generated development certificate)')
    .option('--default-key <file>', 'PEM key of --default-cert')
    .option('--from-log <log>', 'compile from a log of Kong Admin API calls')
    .option('--dry-run', 'render and test inside a temporary copy of the nginx configuration; change nothing')
    .option('--secrets-dir <dir>', 'folder for credential files nginx reads (mode 0600; default: the folder of --target)')
    .option('--state-dir <dir>', 'folder where nginx keeps plugin state, e.g. proxy-cache directories (default: the folder of --target)')
    .option('--skip-unsupported', 'leave out entities kongc cannot compile (warnings)')
    .option('--with-njs', 'compile what needs JavaScript at request time (jwt …) for nginx with the njs module (libnginx-mod-http-js)')
    .option('--allow-degraded', 'accept nearest-nginx behaviour with warnings')
    .option('--kong-headers', "add Kong's Via and X-Kong-*-Latency response headers")
    .option('--strict', 'approximations (a Kong plugin nginx can only come close to) are errors')
    .addHelpText('after', `
Examples:
  kongc apply kong.yaml --target /etc/nginx/conf.d/kong.conf
  kongc apply kong.yaml --target /etc/nginx/conf.d/kong.conf --dry-run`)
  )
    .action(async (files: string[], opts) => (await import('./commands/apply.js')).runApply(files, opts, program.opts()));

  program
    .command('dev')
    .description('compile, run nginx in the foreground on a temp prefix, and re-apply on every change to the files (Ctrl-C stops it)')
    .argument('[files...]', FILES_HELP)
    .addOption(selectTag())
    .option('--listen <addr>', 'proxy listen address, repeatable (default 8000)', collect)
    .option('--listen-tls <addr>', 'TLS proxy listen address, repeatable (default 8443 when the config has certificates)', collect)
    .option('--default-cert <file>', 'PEM certificate for SNIs no certificate names (default: a generated development certificate)')
    .option('--default-key <file>', 'PEM key of --default-cert')
    .option('--nginx <bin>', 'nginx binary', 'nginx')
    .option('--skip-unsupported', 'leave out entities kongc cannot compile (warnings)')
    .option('--with-njs', 'compile what needs JavaScript at request time (jwt …) for nginx with the njs module (libnginx-mod-http-js)')
    .option('--allow-degraded', 'accept nearest-nginx behaviour with warnings')
    .option('--kong-headers', "add Kong's Via and X-Kong-*-Latency response headers")
    .option('--strict', 'approximations (a Kong plugin nginx can only come close to) are errors')
    .addHelpText('after', `
Examples:
  kongc dev                          # kong.yaml here, served on :8000
  kongc dev kong/ --listen 127.0.0.1:9000`)
    .action(async (files: string[], opts) => (await import('./commands/dev.js')).runDev(files, opts, program.opts()));

  hostOptions(program
    .command('rollback')
    .description('put a kept backup of the target back (by default the newest that differs from it): lock, write, nginx -t, reload, verify')
    .requiredOption('--target <path>', 'the nginx include kongc apply writes')
    .option('--to <n>', 'restore backup N (see --list) instead of the newest distinct one')
    .option('--list', 'list the kept backups and change nothing'),
  )
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

/** How apply and rollback reach nginx on this host, and their transaction's lock, backups and deadline. */
function hostOptions(command: Command): Command {
  return command
    .option('--nginx <bin>', 'nginx binary', 'nginx')
    .option('--nginx-conf <main>', 'main nginx.conf (passed as -c)')
    .option('--prefix <dir>', 'nginx prefix (passed as -p)')
    .option('--test-cmd <cmd>', 'command that tests the config (default: nginx [-p] [-c] -t)')
    .option('--reload-cmd <cmd>', 'command that reloads nginx (default: nginx [-p] [-c] -s reload)')
    .option('--start', 'start nginx (after the test) when it is not running, instead of failing')
    .option('--backups <n>', 'distinct numbered backups to keep', '5')
    .option('--lock <path>', 'lock file (default: .<name>.lock beside the target)')
    .option('--timeout <seconds>', 'how long to wait for the lock and for the reload to take effect', '30');
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
