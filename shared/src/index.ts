export { ProtocolError, NeedMoreBytes } from './protocol-error.ts';
export { ByteReader } from './byte-reader.ts';
export { ByteWriter } from './byte-writer.ts';
export { hex, toHex } from './hex.ts';
