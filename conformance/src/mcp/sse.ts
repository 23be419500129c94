/**
 * A server-sent events reader (WHATWG HTML §9.2 event stream format) for the MCP HTTP transports: Streamable
 * HTTP answers a POST with either JSON or an event stream, the legacy HTTP+SSE transport is one long stream.
 */

/** One dispatched event. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** Incremental parser: feed decoded text, get every complete event. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;

  /** Add a chunk; returns the events it completes. */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (!m) break;
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const e = this.line(line);
      if (e) out.push(e);
    }
    return out;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = '';
        return undefined;
      }
      const e: SseEvent = { event: this.event || 'message', data: this.data.join('\n') };
      if (this.id !== undefined) e.id = this.id;
      this.data = [];
      this.event = '';
      return e;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\u0000')) this.id = value;
    return undefined;
  }
}
