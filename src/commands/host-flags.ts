// The options `apply` and `rollback` share: how to reach nginx on this host, and the transaction's
// lock, backups and deadline.
import type { ApplyRequest } from '../deliver/apply.js';
import { UsageError } from '../diagnostics.js';

export interface HostFlags {
  target: string;
  nginx?: string;
  nginxConf?: string;
  prefix?: string;
  testCmd?: string;
  reloadCmd?: string;
  start?: boolean;
  backups?: string;
  lock?: string;
  timeout?: string;
}

/** The parts of an apply request the host flags decide. */
export function hostRequest(flags: HostFlags): Pick<ApplyRequest, 'target' | 'nginx' | 'testCmd' | 'reloadCmd' | 'start' | 'lockPath' | 'timeoutMs'> {
  return {
    target: flags.target,
    nginx: { nginx: flags.nginx ?? 'nginx', prefix: flags.prefix, conf: flags.nginxConf },
    testCmd: flags.testCmd,
    reloadCmd: flags.reloadCmd,
    start: Boolean(flags.start),
    lockPath: flags.lock,
    timeoutMs: parseSeconds(flags.timeout, '--timeout', 30) * 1000,
  };
}

export function parseCount(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 1000) throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a whole number from 0 to 1000`);
  return Number(value);
}

export function parseSeconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > 86_400) throw new UsageError(`${flag} ${JSON.stringify(value)}: expected seconds, more than 0`);
  return n;
}
