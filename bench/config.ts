// The benchmark configuration: N routes over N/10 services and upstreams, a mix of what real
// configs have (host + path, path only, methods, headers, regex paths, strip on and off).
import { stringify } from 'yaml';

export function benchConfig(routes: number): object {
  const services: object[] = [];
  const upstreams: object[] = [];
  const perService = 10;
  for (let s = 0; s < routes / perService; s++) {
    upstreams.push({ name: `up${s}.internal`, targets: [{ target: `10.0.${s % 250}.1:8080` }, { target: `10.0.${s % 250}.2:8080`, weight: 50 }] });
    const rs: object[] = [];
    for (let r = 0; r < perService; r++) {
      const n = s * perService + r;
      const kind = n % 10;
      rs.push({
        name: `route-${n}`,
        // a mix of what real configs have: host+path, path only, methods, headers, regex
        ...(kind < 6 ? { hosts: [`api${s % 100}.example.com`] } : {}),
        paths: kind === 9 ? [`~/v${n}/items/\\d+$`] : [`/svc${s}/r${r}`],
        ...(kind === 3 ? { methods: ['GET', 'HEAD'] } : {}),
        ...(kind === 4 ? { headers: { 'x-version': [`v${r}`] } } : {}),
        strip_path: kind % 2 === 0,
      });
    }
    services.push({ name: `svc${s}`, host: `up${s}.internal`, path: s % 3 ? `/base${s}` : undefined, routes: rs });
  }
  return { _format_version: '3.0', services, upstreams };
}

export function benchYaml(routes: number): string {
  return stringify(benchConfig(routes));
}
