// The data-plane mix: N routes over N/10 services, each service with its own plain and wildcard
// host, 20 % regex paths, methods and headers; and the hand-written nginx a person would write for
// the same routes (one server per host set, one plain location + proxy_pass per route), the
// baseline kongc's output is measured against.
import { stringify } from 'yaml';

export interface MixOptions {
  routes: number;
  /** Every target is this loopback address (one backend serves the whole benchmark). */
  backend: string;
}

export function mixConfig({ routes, backend }: MixOptions): { _format_version: string; services: object[]; upstreams: object[] } {
  const services: object[] = [];
  const upstreams: object[] = [];
  for (let s = 0; s < routes / 10; s++) {
    upstreams.push({ name: `up${s}`, targets: [{ target: backend }] });
    const plain = `s${s}.example.com`;
    const wildcard = `*.s${s}.example.net`;
    const rs: object[] = [];
    for (let r = 0; r < 10; r++) {
      const name = `r${s}-${r}`;
      const strip_path = r % 2 === 0;
      if (r <= 3) rs.push({ name, hosts: [plain], paths: [`/s${s}/r${r}`], strip_path });
      else if (r === 4) rs.push({ name, hosts: [wildcard], paths: [`/s${s}/r${r}`], strip_path });
      else if (r === 5) rs.push({ name, paths: [`/p${s}/r${r}`], strip_path });
      else if (r === 6) rs.push({ name, paths: [`/p${s}/r${r}`], methods: ['GET', 'POST'], strip_path });
      else if (r === 7) rs.push({ name, hosts: [plain], paths: [`/s${s}/h${r}`], headers: { 'x-version': ['v1'] }, strip_path });
      else if (r === 8) rs.push({ name, paths: [`~/x${s}/r${r}/\\d+$`], strip_path });
      else rs.push({ name, hosts: [plain], paths: [`~/x${s}/r${r}/[a-z]+$`], strip_path });
    }
    services.push({ name: `svc${s}`, host: `up${s}`, routes: rs });
  }
  return { _format_version: '3.0', services, upstreams };
}

export function mixYaml(options: MixOptions): string {
  return stringify(mixConfig(options));
}

/** The requests the data-plane benchmark sends, for service `s` of the mix. */
export function mixRequests(s: number): { name: string; path: string; host: string }[] {
  return [
    { name: 'plain', path: `/p${s}/r5/item`, host: 'other.test' },
    { name: 'regex', path: `/x${s}/r8/123`, host: 'other.test' },
    { name: 'host', path: `/s${s}/r1/item`, host: `s${s}.example.com` },
  ];
}

const KONG_HEADERS = [
  'proxy_set_header X-Real-IP $remote_addr;',
  'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
  'proxy_set_header X-Forwarded-Proto $scheme;',
  'proxy_set_header X-Forwarded-Host $host;',
  'proxy_set_header X-Forwarded-Port $server_port;',
  'proxy_set_header X-Forwarded-Path $uri;',
];

/**
 * Hand-written nginx for the mix, as a person would write it for the same requests: a server per
 * host set with one location + proxy_pass per route, host-less routes in the default server. It
 * leaves out what the person would not check (methods, headers, Kong's path rules): it is the
 * floor kongc is measured against, not an equivalent. With `kongHeaders` it also sends the headers
 * Kong sends upstream (X-Forwarded-*, X-Real-IP), as a person copying Kong's behaviour would.
 */
export function baselineNginx({ routes, backend }: MixOptions, listen: string, { kongHeaders = false } = {}): string {
  const out: string[] = [];
  const hostless: string[] = [];
  for (let s = 0; s < routes / 10; s++) {
    out.push(`upstream up${s} { server ${backend}; keepalive 512; }`);
    const plain: string[] = [];
    const wildcard: string[] = [];
    for (let r = 0; r < 10; r++) {
      const loc = (path: string) => `    location ${path} { proxy_pass http://up${s}; }`;
      if (r <= 3) plain.push(loc(`/s${s}/r${r}`));
      else if (r === 4) wildcard.push(loc(`/s${s}/r${r}`));
      else if (r === 5 || r === 6) hostless.push(loc(`/p${s}/r${r}`));
      else if (r === 7) plain.push(loc(`/s${s}/h${r}`));
      else if (r === 8) hostless.push(`    location ~ ^/x${s}/r${r}/\\d+$ { proxy_pass http://up${s}; }`);
      else plain.push(`    location ~ ^/x${s}/r${r}/[a-z]+$ { proxy_pass http://up${s}; }`);
    }
    out.push(`server {\n    listen ${listen};\n    server_name s${s}.example.com;\n${plain.join('\n')}\n}`);
    out.push(`server {\n    listen ${listen};\n    server_name *.s${s}.example.net;\n${wildcard.join('\n')}\n}`);
  }
  out.push(`server {\n    listen ${listen} default_server;\n    server_name "";\n${hostless.join('\n')}\n    location / { return 404; }\n}`);
  return [
    'proxy_http_version 1.1;',
    'proxy_set_header Connection "";',
    // The headers Kong sends upstream (kongc sends them too): what they cost, measured apart.
    ...(kongHeaders ? KONG_HEADERS : []),
    'server_names_hash_bucket_size 128;',
    'server_names_hash_max_size 65536;',
    ...out,
  ].join('\n') + '\n';
}
