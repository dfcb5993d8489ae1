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
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// createCleanupJob creates the cleanup objects with the typed client-go
// clientset (protobuf), create-or-update for the fixed names.
func (cm *clusterManager) createCleanupJob() error {
	kc, err := cm.kube()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	labels := map[string]string{"cattle.io/creator": "norman"}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "cattle-cleanup-sa", Namespace: "default", Labels: labels}}
	if _, err := kc.Typed.CoreV1().ServiceAccounts("default").Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create ServiceAccount/cattle-cleanup-sa: %w", err)
	}
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "cattle-cleanup-binding", Labels: labels},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "cattle-cleanup-sa", Namespace: "default"}},
	}
	if _, err := kc.Typed.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create ClusterRoleBinding/cattle-cleanup-binding: %w", err)
	}
	backoff := int32(6)
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "cattle-cleanup-" + randomString(5), Namespace: "default", Labels: labels},
		Spec: batchv1.JobSpec{
			BackoffLimit: &backoff,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					ServiceAccountName: "cattle-cleanup-sa",
					RestartPolicy:      corev1.RestartPolicyOnFailure,
					Containers: []corev1.Container{{
						Name: "cleanup-agent", Image: cm.a.cfg.AgentImage,
						Env: []corev1.EnvVar{{Name: "CLUSTER_CLEANUP", Value: "true"}, {Name: "SLEEP_FIRST", Value: "true"}},
					}},
				},
			},
		},
	}
	if _, err := kc.Typed.BatchV1().Jobs("default").Create(ctx, job, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create Job/%s: %w", job.Name, err)
	}
	return nil
}
