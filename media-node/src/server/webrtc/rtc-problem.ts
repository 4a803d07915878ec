import type { ServerResponse } from 'node:http';

/** A refused WHIP/WHEP request: HTTP status, a stable snake_case code and a human detail. */
export class RtcProblem extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, detail: string) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** RFC 9457 problem details, with our error code beside the standard members. */
export function sendProblem(res: ServerResponse, p: RtcProblem, extraHeaders: Record<string, string> = {}): void {
  const body = JSON.stringify({ type: 'about:blank', title: TITLES[p.status] ?? 'Error', status: p.status, code: p.code, detail: p.message });
  res.writeHead(p.status, { 'Content-Type': 'application/problem+json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...extraHeaders });
  res.end(body);
}
