/**
 * A TCP listener on 127.0.0.1 whose accept queue is full and which never accepts: the kernel drops
 * further SYNs, so a connect to it hangs until the client's connect timeout (a true connect
 * timeout on loopback). Node accepts every connection by itself, so the listener is a small
 * Python process (`listen(0)`, queue filled by its own connections); `close()` ends it.
 */
import { spawn } from 'node:child_process';

export interface FullBacklogListener {
  readonly port: number;
  close(): Promise<void>;
}

const SCRIPT = `
import socket, sys, time
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(0)
port = s.getsockname()[1]
fill = []
for _ in range(4):
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(('127.0.0.1', port))
    except BlockingIOError:
        pass
    fill.append(c)
time.sleep(0.2)
print(port, flush=True)
sys.stdin.read()
`;

export function startFullBacklogListener(): Promise<FullBacklogListener> {
  const child = spawn('python3', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the backlog listener exited (${code}) before it listened`)));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /^(\d+)\n/.exec(out);
      if (!m) return;
      resolve({
        port: Number(m[1]),
        async close() {
          child.stdin.end(); // its stdin ends: it exits
          await exited;
        },
      });
    });
  });
}
