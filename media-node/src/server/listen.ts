import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Bind a server; the error says which listener, which port and what to change. */
export function listen(server: Server, name: string, host: string, port: number, hint: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      const why =
        e.code === 'EADDRINUSE' ? 'the port is in use (is another server running?)' : e.code === 'EACCES' ? 'permission denied' : e.message;
      reject(new Error(`${name}: cannot listen on ${host}:${port}: ${why}; choose another with ${hint}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
