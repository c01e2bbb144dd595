/**
 * The benchmark runs each server in a process of its own, so that a process's CPU time is
 * that server's alone. Parent and child talk over Node's IPC channel: the child says when it
 * is ready (with its URLs) and answers CPU-time requests; when the channel closes (the parent
 * stopping it, or ending however abruptly) the child closes its servers and exits.
 * Children are stopped that way rather than by signal, and sit in process groups of their own
 * so that Ctrl-C reaches only the parent: a signal would also start the shutdown Apollo Server
 * installs for itself outside NODE_ENV=test, and Apollo Server 5.5's stop(), called a second
 * time while the first is under way, never returns.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

type ToChild = { readonly kind: 'cpu'; readonly id: number };
type ToParent =
  | { readonly kind: 'ready'; readonly ready: unknown }
  | { readonly kind: 'cpu'; readonly id: number; readonly usage: NodeJS.CpuUsage };

// ─── child side ──────────────────────────────────────────────────────────────

export interface ChildServer<Ready> {
  readonly ready: Ready;
  /** Stops accepting, lets in-flight requests finish, releases what outlives the process (databases). */
  close(): Promise<void>;
  /**
   * Ends the connections close() would otherwise wait for: a load generator's keep-alive
   * sockets still busy when the benchmark was interrupted, or peers' sockets in this process.
   */
  endConnections?(): void;
  /** The CPU time to report, when more than this process's own (processes it started). */
  cpuUsage?(): NodeJS.CpuUsage;
}

/** Once the load has stopped, in-flight requests are done well within this. */
const CLOSE_GRACE_MS = 1_000;
/** A close still running this long has hung: exit anyway (under the parent's STOP_TIMEOUT_MS). */
const EXIT_DEADLINE_MS = 15_000;

/**
 * Starts this process's servers, tells the parent (or, run by hand, stdout) what is ready,
 * answers CPU-time requests, and closes on SIGTERM, SIGINT or the parent's going away.
 */
export async function runAsChild<Ready>(start: () => Promise<ChildServer<Ready>>): Promise<void> {
  let server: ChildServer<Ready>;
  try {
    server = await start();
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    setTimeout(() => server.endConnections?.(), CLOSE_GRACE_MS).unref();
    setTimeout(() => (console.error(`close() did not finish within ${EXIT_DEADLINE_MS} ms; exiting`), process.exit(1)), EXIT_DEADLINE_MS).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => (console.error(error), process.exit(1)),
    );
  };
  // `on`, not `once`: a server may stop itself on a signal and raise it again (Apollo Server
  // does, outside NODE_ENV=test), which must not end the process before close() is done.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.once('disconnect', stop);
  process.on('message', (message: ToChild) => {
    if (message.kind === 'cpu') send({ kind: 'cpu', id: message.id, usage: server.cpuUsage?.() ?? process.cpuUsage() });
  });
  if (process.send) send({ kind: 'ready', ready: server.ready });
  else console.log(JSON.stringify(server.ready));
}

function send(message: ToParent): void {
  process.send?.(message);
}

// ─── parent side ─────────────────────────────────────────────────────────────

/** Seeding the subgraphs' databases takes a few seconds; a minute means something is wrong. */
const READY_TIMEOUT_MS = 60_000;
/** The subgraphs drop their databases on close; after this long the child is killed. */
const STOP_TIMEOUT_MS = 20_000;
/** tsx's loader, for `node --import` in the processes a benchmark starts. */
export const TSX_LOADER = import.meta.resolve('tsx');

export class ChildServerProcess<Ready> {
  private readonly cpuWaiters = new Map<number, (usage: NodeJS.CpuUsage) => void>();
  private nextCpuId = 0;
  private readonly exited: Promise<number | null>;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly ready: Ready,
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
    child.on('message', (message: ToParent) => {
      if (message.kind !== 'cpu') return;
      this.cpuWaiters.get(message.id)?.(message.usage);
      this.cpuWaiters.delete(message.id);
    });
  }

  /**
   * Spawns `node --import tsx <script>` with `env` added, and waits for its ready message.
   * BENCH_CPU_PROF_DIR=<dir> profiles every child (node --cpu-prof), written to <dir>/<name>/ when
   * it stops: one file per thread (the largest is the main thread's; tsx's loader has its own).
   */
  static async start<Ready>(name: string, script: URL, env: Record<string, string>): Promise<ChildServerProcess<Ready>> {
    const profileDir = process.env['BENCH_CPU_PROF_DIR'];
    const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : [];
    const child = spawn(process.execPath, [...profile, '--import', TSX_LOADER, fileURLToPath(script)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    const ready = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} was not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      child.on('message', (message: ToParent) => {
        if (message.kind === 'ready') (clearTimeout(timer), resolve(message.ready as Ready));
      });
      child.once('exit', (code, signal) => (clearTimeout(timer), reject(new Error(`${name} exited before it was ready (code ${code}, signal ${signal})`))));
      child.once('error', (error) => (clearTimeout(timer), reject(error)));
    }).catch(async (error: unknown) => {
      await stopChild(child);
      throw error;
    });
    return new ChildServerProcess(name, child, ready);
  }

  /** The child's own CPU time so far (all its threads), in microseconds. */
  cpuUsage(): Promise<NodeJS.CpuUsage> {
    const id = this.nextCpuId++;
    return new Promise((resolve, reject) => {
      this.cpuWaiters.set(id, resolve);
      if (!this.child.send({ kind: 'cpu', id } satisfies ToChild)) reject(new Error(`${this.name} cannot be asked for its CPU time`));
      void this.exited.then(() => reject(new Error(`${this.name} exited`)));
    });
  }

  /** Asks the child to close, and kills it if it has not exited in time. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= stopChild(this.child);
    return this.stopping;
  }
}

/** Every child still running, so that an error or a signal in the parent can end them all. */
const live = new Set<ChildProcess>();

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.disconnect();
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

export function stopAllChildren(): Promise<void> {
  return Promise.all([...live].map(stopChild)).then(() => undefined);
}

let stoppingOnSignal = false;

export function isStoppingOnSignal(): boolean {
  return stoppingOnSignal;
}

/** On SIGINT or SIGTERM, ends every child (the subgraphs drop their databases), then this process. */
export function stopChildrenOnSignal(): void {
  const stop = (signal: NodeJS.Signals) => {
    if (stoppingOnSignal) return;
    stoppingOnSignal = true;
    console.error(`\n${signal}: stopping the servers…`);
    void stopAllChildren().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  // `on`, not `once`: under the tsx CLI, a signal finding no listener left ends the process at
  // once, before the children have dropped their databases.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
