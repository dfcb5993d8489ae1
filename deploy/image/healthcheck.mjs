#!/usr/bin/env node
// The container image's health check: GET /healthz on the agent's own port.
// Run by the container engine inside the container (HEALTHCHECK), so it uses
// Node, which the image has anyway, instead of adding curl to the image.
//
// The agent guards every route with the access token once it listens off
// loopback (as it does in the image, on 0.0.0.0), /healthz included, so the
// check presents SCALE_AGENT_ACCESS_TOKEN as the API's clients do.
const port = process.env.SCALE_AGENT_PORT || '9090';
const token = process.env.SCALE_AGENT_ACCESS_TOKEN || '';
const headers = token ? { authorization: `Bearer ${token}` } : {};
try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
    headers,
    signal: AbortSignal.timeout(4000),
  });
  const body = await res.text();
  if (res.status === 200 && body.trim() === 'ok') process.exit(0);
  process.stderr.write(`healthz answered ${res.status}: ${body.slice(0, 200)}\n`);
} catch (err) {
  process.stderr.write(`healthz unreachable: ${err instanceof Error ? err.message : String(err)}\n`);
}
process.exit(1);
