// The service `url` shorthand, expanded as Kong does (LuaSocket url.parse).
export interface ServiceUrl {
  protocol: string;
  host: string;
  port: number;
  path: string | null;
}

const KONG_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp'];

const URL_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[0-9A-Fa-f:.]+\]|[^:/?#[\]]*)(?::(\d*))?([^?#]*)(?:\?[^#]*)?(?:#.*)?$/;

export function parseServiceUrl(url: string): ServiceUrl | { error: string } {
  const trimmed = url.trim();
  if (!trimmed) return { error: 'empty url' };
  const m = URL_SHAPE.exec(trimmed);
  if (!m || trimmed !== url) return { error: `'${url}' is not an absolute URL with a host` };
  const [, scheme, rawHost, rawPort, rawPath] = m;
  const host = rawHost!.startsWith('[') ? rawHost!.slice(1, -1) : rawHost!;
  if (!host) return { error: 'host: required field missing' };
  const explicitPort = rawPort ? Number(rawPort) : undefined;
  if (explicitPort !== undefined && (explicitPort > 65535 || !Number.isInteger(explicitPort))) return { error: `port ${rawPort} is out of range` };
  const protocol = scheme!.toLowerCase();
  if (!KONG_PROTOCOLS.includes(protocol)) return { error: `scheme '${protocol}' is not a Kong protocol (${KONG_PROTOCOLS.join(', ')})` };
  const port = explicitPort ?? (protocol === 'https' ? 443 : 80);
  return { protocol, host, port, path: rawPath ? rawPath : null };
}
