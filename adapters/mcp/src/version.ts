/** This package's version, reported as the MCP server version and in the User-Agent of its HTTP calls. */
export const version = '0.4.0';
