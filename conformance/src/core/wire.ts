/** Wire types of the protocol, generated from the normative schemas (never restated here). */
export type {
  ErrorEnvelope,
  ExportFile,
  Health,
  ImportResult,
  ListMemoriesResponse,
  Memory,
  Principal,
  SearchResponse,
} from '@omp-kit/schemas/types';
