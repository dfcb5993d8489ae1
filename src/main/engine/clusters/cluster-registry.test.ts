import { describe, expect, it } from 'vitest';
import type { ClustersChange } from '../../../shared/cluster';
import { ClusterRegistry } from './cluster-registry';

describe('ClusterRegistry', () => {
  it('adds, reads and removes clusters', () => {
    const r = new ClusterRegistry();
    const c = r.add('one');
    expect(c).toMatchObject({ name: 'one', status: 'pending', rancherId: '' });
    expect(r.get('one').name).toBe('one');
    r.remove('one');
    expect(r.list()).toEqual([]);
  });

  it('refuses bad and duplicate names without changing anything', () => {
    const r = new ClusterRegistry();
    r.add('one');
    expect(() => r.add('one')).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => r.add('Bad')).toThrow(expect.objectContaining({ code: 'invalid' }));
    expect(r.names()).toEqual(['one']);
  });

  it('reports unknown names as not_found', () => {
    const r = new ClusterRegistry();
    expect(() => r.get('nope')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => r.remove('nope')).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('coalesces a burst of changes into one event', async () => {
    const r = new ClusterRegistry(20);
    const changes: ClustersChange[] = [];
    r.on('changed', (c) => changes.push(c));
    for (let i = 0; i < 500; i++) r.add(`c${i}`);
    r.setStatus('c1', 'failed', 'boom');
    r.remove('c2');
    await new Promise((res) => setTimeout(res, 60));
    expect(changes).toHaveLength(1);
    expect(changes[0]!.upserted).toHaveLength(499);
    expect(changes[0]!.removed).toEqual(['c2']);
    expect(changes[0]!.upserted.find((c) => c.name === 'c1')).toMatchObject({
      status: 'failed',
      error: 'boom',
    });
  });

  it('drops the error when a cluster leaves failed', () => {
    const r = new ClusterRegistry();
    r.add('x');
    r.setStatus('x', 'failed', 'why');
    expect(r.setStatus('x', 'pending').error).toBeUndefined();
  });

  it('keeps a failure reason without any secret it carried (it is saved and shown)', () => {
    const r = new ClusterRegistry();
    r.add('x');
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLXBhcnQ';
    const failed = r.setStatus('x', 'failed', `GET /v3/clusters answered 401 for Bearer ${jwt}`);
    expect(failed.error).toBe('GET /v3/clusters answered 401 for Bearer [redacted]');
    expect(JSON.stringify(failed.steps)).not.toContain(jwt);
  });
});
