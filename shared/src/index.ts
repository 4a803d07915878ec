export { ProtocolError, NeedMoreBytes } from './protocol-error.ts';
export { ByteReader } from './byte-reader.ts';
export { hex, toHex } from './hex.ts';
