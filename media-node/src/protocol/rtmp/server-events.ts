import type { SendOutput } from './outbox.ts';
import type { RtmpMessage } from './message.ts';
import type { RtmpConnectInfo } from './connect-request.ts';

export type PublishType = 'live' | 'record' | 'append';

/** What RtmpServerSession reports; see README.md for when each one comes. */
export type RtmpServerEvent =
  | { readonly kind: 'handshake'; readonly mode: 'simple' | 'complex' }
  | ({ readonly kind: 'connect' } & RtmpConnectInfo)
  | {
      readonly kind: 'publish';
      readonly streamId: number;
      readonly streamName: string;
      readonly param: string;
      readonly publishType: PublishType;
      readonly app: string;
      readonly vhost: string;
    }
  | {
      readonly kind: 'play';
      readonly streamId: number;
      readonly streamName: string;
      readonly param: string;
      readonly start: number;
      readonly duration: number;
      readonly reset: boolean;
      readonly app: string;
      readonly vhost: string;
    }
  /** Audio (8), video (9) or data (18, `@setDataFrame` stripped) from an accepted publisher. */
  | { readonly kind: 'media'; readonly streamId: number; readonly message: RtmpMessage }
  | { readonly kind: 'unpublish'; readonly streamId: number; readonly streamName: string }
  | { readonly kind: 'play-stop'; readonly streamId: number; readonly streamName: string }
  | { readonly kind: 'pause'; readonly streamId: number; readonly paused: boolean; readonly position: number }
  | { readonly kind: 'close'; readonly reason: string; readonly message: string };

export type RtmpServerOutput = SendOutput | RtmpServerEvent;

export interface RtmpServerStats {
  readonly bytesReceived: number;
  /** Media from streams that are not publishing, malformed aggregates. */
  readonly droppedMessages: number;
  readonly unknownMessages: number;
  /** Bytes held in partially received messages (0 once closed). */
  readonly bufferedBytes: number;
}
