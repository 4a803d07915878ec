import type { Socket } from 'node:dgram';
import { UdpTransport } from 'werift';

/**
 * werift 0.25's UdpTransport never listens for 'error' on its dgram socket:
 * a bind that fails (a port taken between its probe and its bind) emits one,
 * and an 'error' with no listener is an uncaught exception that takes the
 * node down (werift's own `init` would also wait for 'listening' forever).
 * This replaces its static `init` with the same steps plus an error listener
 * on the socket: a failed bind rejects, so that session fails with a reason
 * and nothing else is touched; any later socket error is counted. (Sends the
 * kernel refuses cannot raise one: werift sends without a callback, and Node
 * then drops the error.) Installed once, when protocol/rtc is loaded.
 */

/** The transport the next UdpTransport.init returns instead of binding a socket (the UDP mux), once. */
let nextTransport: (() => unknown) | undefined;

/**
 * Runs `task` with werift's next UdpTransport.init answered by `make()`
 * instead of a new socket (udp-mux.ts). One at a time: answerOffer calls are
 * serialized, so the transport reaches the session that is gathering.
 */
export async function withWeriftTransport<T>(make: () => unknown, task: () => Promise<T>): Promise<T> {
  if (nextTransport !== undefined) throw new Error('withWeriftTransport calls overlap');
  nextTransport = make;
  try {
    return await task();
  } finally {
    nextTransport = undefined;
  }
}

/** Errors werift's sockets raised since start (the last one's message, for a log line). */
export const weriftUdpErrors = { count: 0, last: '' };

interface WeriftUdp {
  readonly socket: Socket;
  init(): Promise<void>;
}
type InitOptions = Parameters<typeof UdpTransport.init>[1];

let installed = false;

export function guardWeriftUdp(): void {
  if (installed) return;
  installed = true;
  // The constructor and instance init are private in werift's types; this is what its own static init does.
  const Transport = UdpTransport as unknown as new (type: string, options: InitOptions) => WeriftUdp;
  const guarded = async (type: Parameters<typeof UdpTransport.init>[0], options: InitOptions = {}): Promise<UdpTransport> => {
    const make = nextTransport;
    if (make !== undefined) {
      nextTransport = undefined;
      return make() as UdpTransport;
    }
    const transport = new Transport(type, options);
    transport.socket.on('error', (error) => {
      weriftUdpErrors.count++;
      weriftUdpErrors.last = error.message;
    });
    await new Promise<void>((resolve, reject) => {
      transport.socket.once('error', reject);
      transport.init().then(() => {
        transport.socket.off('error', reject);
        resolve();
      }, reject);
    });
    return transport as unknown as UdpTransport;
  };
  (UdpTransport as unknown as { init: typeof guarded }).init = guarded;
}
