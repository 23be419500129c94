/**
 * The offline `$ref` resolver for a folder of JSON Schemas whose `$id`s are https URLs not on the network (a
 * released spec's own `schemas/`, or a test fixture's): the kit's one resolver, from @omp-kit/schemas.
 */
export { type RefResolver, schemaDirResolver } from '@omp-kit/schemas';
