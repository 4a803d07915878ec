import type { Consumer, ConsumerCloseReason, ConsumerOptions } from '../hub/consumer.ts';
import type { MediaMessage } from '../hub/media-message.ts';
import type { Source } from '../hub/source.ts';

/** How an output attaches: when its drain runs, and consumer options besides the listener. */
export interface AttachOptions {
  /** Runs the drain after the hub signals; default now, in the publisher's push (the server may pass `setImmediate`). */
  readonly schedule?: (run: () => void) => void;
  readonly consumer?: Omit<ConsumerOptions, 'listener'>;
}

/** What an output does with its subscription. */
export interface AttachmentHandlers {
  /** The messages one drain took, in order (the join burst, then each signalled batch). */
  onMessages(messages: readonly MediaMessage[]): void;
  /** The publisher left; the consumer stays. */
  onUnpublish(): void;
  /** The hub closed the consumer for a reason other than our own `detach` (slow_consumer, source_closed). */
  onLost(reason: ConsumerCloseReason): void;
}

/**
 * The consumer side every hub output shares (HLS segmenter, DVR recorder):
 * attach to a source, drain on its signal, notice being dropped, detach.
 */
export class HubAttachment {
  private readonly clientId: string;
  private readonly handlers: AttachmentHandlers;
  private consumer: Consumer | null = null;

  constructor(clientId: string, handlers: AttachmentHandlers) {
    this.clientId = clientId;
    this.handlers = handlers;
  }

  /** Becomes a consumer of `source` and drains the join burst at once (the hub does not signal it). */
  attach(source: Source, opts: AttachOptions = {}): Consumer {
    const schedule = opts.schedule ?? ((run: () => void) => run());
    const c = source.addConsumer({
      clientId: this.clientId,
      ...opts.consumer,
      listener: {
        onReadable: () => schedule(() => this.pump()),
        onUnpublish: () => this.handlers.onUnpublish(),
        onClose: (closed, reason) => {
          if (this.consumer === closed) this.consumer = null;
          // 'closed' is our own detach()
          if (reason !== 'closed') this.handlers.onLost(reason);
        },
      },
    });
    this.consumer = c;
    this.pump();
    return c;
  }

  /** Hands what the consumer holds to `onMessages`; nothing when not attached. */
  pump(): void {
    const c = this.consumer;
    if (c === null) return;
    this.handlers.onMessages(c.take());
  }

  /** Stops consuming. */
  detach(): void {
    const c = this.consumer;
    this.consumer = null;
    c?.close();
  }
}
