package main

// Deleting a cluster as Rancher does: the cluster shows state "removing"
// while the Remove lifecycle runs. Through the tunnel (if the agent is still
// connected) it creates a cleanup ServiceAccount, ClusterRoleBinding and a
// Job cattle-cleanup-<x> in namespace default (labelled
// cattle.io/creator=norman, env CLUSTER_CLEANUP=true), tried 3 times 3 s
// apart; then the cluster and its registration tokens disappear (GET: 404,
// tunnel with the old token: 400 "cluster not found"). Existing tunnel
// sessions are not closed: remotedialer has no kick API and Rancher does not.

import (
	"context"
	"time"
)

func (a *App) deleteCluster(id string) (Cluster, bool) {
	started := false
	a.store.Update(id, func(c *Cluster) bool {
		if c.Removing {
			return false
		}
		c.Removing, c.Removed, started = true, nowRFC3339(), true
		return true
	})
	c, ok := a.store.Get(id)
	if !ok {
		return Cluster{}, false
	}
	if started {
		a.log.Info("cluster removing", "cluster", id)
		go a.finishRemoval(id)
	}
	return c, true
}

func (a *App) finishRemoval(id string) {
	start := time.Now()
	if cm := a.managers.get(id); cm != nil && a.tunnel.HasSession(id) {
		for attempt := 1; attempt <= 3; attempt++ {
			err := cm.createCleanupJob()
			if err == nil {
				break
			}
			a.log.Warn("cleanup job", "cluster", id, "attempt", attempt, "err", err)
			if attempt < 3 {
				time.Sleep(3 * time.Second)
			}
		}
	}
	a.managers.Stop(id)
	if d := 500*time.Millisecond - time.Since(start); d > 0 {
		time.Sleep(d) // keep "removing" observable for a moment
	}
	a.store.RemoveCluster(id)
	a.log.Info("cluster removed", "cluster", id)
}

func (cm *clusterManager) createCleanupJob() error {
	ds, err := cm.downstream()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	labels := map[string]any{"cattle.io/creator": "norman"}
	objs := []map[string]any{
		{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": "cattle-cleanup-sa", "namespace": "default", "labels": labels}},
		{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": map[string]any{"name": "cattle-cleanup-binding", "labels": labels},
			"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
			"subjects": []any{map[string]any{"kind": "ServiceAccount", "name": "cattle-cleanup-sa", "namespace": "default"}}},
		{"apiVersion": "batch/v1", "kind": "Job", "metadata": map[string]any{"name": "cattle-cleanup-" + randomString(5), "namespace": "default", "labels": labels},
			"spec": map[string]any{"backoffLimit": 6, "template": map[string]any{
				"metadata": map[string]any{"labels": labels},
				"spec": map[string]any{"serviceAccountName": "cattle-cleanup-sa", "restartPolicy": "OnFailure",
					"containers": []any{map[string]any{"name": "cleanup-agent", "image": cm.a.cfg.AgentImage,
						"env": []any{map[string]any{"name": "CLUSTER_CLEANUP", "value": "true"}, map[string]any{"name": "SLEEP_FIRST", "value": "true"}}}}}}}},
	}
	for _, obj := range objs {
		if _, err := applyObject(ctx, ds, obj); err != nil {
			return err
		}
	}
	return nil
}
