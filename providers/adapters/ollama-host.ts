/**
 * Resolution of `OLLAMA_HOST` to a base URL, following the Ollama CLI (`envconfig.Host`) and
 * ollama-js (`formatHost`) so that one environment variable points every client at the same server.
 */

/** Port Ollama listens on when the host names none. */
export const ollamaDefaultPort = 11434;

/**
 * The default base URL. 127.0.0.1 rather than `localhost`: the server binds IPv4 loopback only, and
 * `localhost` may resolve to `::1` first, which would be refused.
 */
export const ollamaDefaultBaseUrl = `http://127.0.0.1:${ollamaDefaultPort}`;

/**
 * Turns an `OLLAMA_HOST` value into a base URL without a trailing slash.
 *
 * - empty or undefined → `http://127.0.0.1:11434`
 * - `host` or `host:port` without a scheme → `http://`, port 11434 when none is given
 * - `http://host` / `https://host` with no port → 80 / 443 (as the CLI does)
 * - `:port` → `http://127.0.0.1:port`
 * - `0.0.0.0` / `::` (a server bind address meaning "all interfaces") → the loopback address
 * - an unusable port → the loopback address on the default port (the CLI's fallback)
 */
export function resolveOllamaHost(value: string | undefined): string {
  const trimmed = (value ?? '').trim();
  if (!trimmed) return ollamaDefaultBaseUrl;
  let scheme = 'http';
  let rest = trimmed;
  let defaultPort = String(ollamaDefaultPort);
  const schemeEnd = trimmed.indexOf('://');
  if (schemeEnd !== -1) {
    scheme = trimmed.slice(0, schemeEnd).toLowerCase();
    rest = trimmed.slice(schemeEnd + 3);
    if (scheme === 'http') defaultPort = '80';
    if (scheme === 'https') defaultPort = '443';
  }
  const slash = rest.indexOf('/');
  const hostPort = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash).replace(/\/+$/, '');
  let { host, port } = splitHostPort(hostPort, defaultPort);
  const portNumber = Number(port);
  if (!/^\d+$/.test(port) || portNumber > 65535) {
    host = '127.0.0.1';
    port = defaultPort;
  }
  return `${scheme}://${formatHost(localIfUnspecified(host))}:${port}${path}`;
}

function splitHostPort(hostPort: string, defaultPort: string): { host: string; port: string } {
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close !== -1) {
      const host = hostPort.slice(1, close);
      const after = hostPort.slice(close + 1);
      return { host, port: after.startsWith(':') ? after.slice(1) : defaultPort };
    }
  }
  const colons = hostPort.split(':').length - 1;
  // More than one colon without brackets is a bare IPv6 address, which carries no port.
  if (colons === 1) {
    const [host, port] = hostPort.split(':');
    return { host, port: port || defaultPort };
  }
  return { host: hostPort, port: defaultPort };
}

function localIfUnspecified(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '0:0:0:0:0:0:0:0') return '::1';
  return host;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
