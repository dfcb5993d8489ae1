package main

// Rancher syncs downstream Nodes into management Nodes and sums them into the
// cluster's capacity/allocatable (from node status) and requested/limits
// (from the pod-requests/pod-limits annotations the agent's podresources
// controller writes). The node informer (cluster_manager.go runNodeInformer)
// feeds this file's totals on every change.

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

const (
	annotationPodRequests = "management.cattle.io/pod-requests"
	annotationPodLimits   = "management.cattle.io/pod-limits"
)

type kubeNode struct {
	Metadata struct {
		Name            string            `json:"name"`
		ResourceVersion string            `json:"resourceVersion"`
		Annotations     map[string]string `json:"annotations"`
	} `json:"metadata"`
	Status struct {
		Capacity    map[string]string `json:"capacity"`
		Allocatable map[string]string `json:"allocatable"`
		Conditions  []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
		} `json:"conditions"`
	} `json:"status"`
}

// ready is what kubectl shows as Ready: the Ready condition is True (a node
// without one is NotReady).
func (n kubeNode) ready() bool {
	for _, c := range n.Status.Conditions {
		if c.Type == "Ready" {
			return c.Status == "True"
		}
	}
	return false
}

// ClusterTotals is what a node set contributes to the cluster status.
type ClusterTotals struct {
	NodeCount                                int
	NotReady                                 int // nodes whose Ready condition is not True
	Capacity, Allocatable, Requested, Limits ResourceTotals
	Problems                                 []string
}

func computeTotals(nodes map[string]kubeNode) ClusterTotals {
	t := ClusterTotals{NodeCount: len(nodes), Capacity: ResourceTotals{}, Allocatable: ResourceTotals{}, Requested: ResourceTotals{}, Limits: ResourceTotals{}}
	for _, name := range sortedKeys(nodes) {
		n := nodes[name]
		if !n.ready() {
			t.NotReady++
		}
		report := func(what string, errs []error) {
			for _, e := range errs {
				t.Problems = append(t.Problems, fmt.Sprintf("node %s %s: %v", name, what, e))
			}
		}
		report("capacity", t.Capacity.Add(n.Status.Capacity))
		report("allocatable", t.Allocatable.Add(n.Status.Allocatable))
		for _, a := range []struct {
			key string
			dst ResourceTotals
		}{{annotationPodRequests, t.Requested}, {annotationPodLimits, t.Limits}} {
			raw, ok := n.Metadata.Annotations[a.key]
			if !ok || raw == "" {
				continue
			}
			var m map[string]string
			if err := json.Unmarshal([]byte(raw), &m); err != nil {
				t.Problems = append(t.Problems, fmt.Sprintf("node %s annotation %s: %v", name, a.key, err))
				continue
			}
			report(a.key, a.dst.Add(m))
		}
	}
	return t
}

// applyTotals writes totals into the cluster record; reports whether anything changed.
func applyTotals(c *Cluster, t ClusterTotals) bool {
	capacity, allocatable, requested, limits := t.Capacity.Strings(), t.Allocatable.Strings(), t.Requested.Strings(), t.Limits.Strings()
	changed := c.NodeCount != t.NodeCount || !sameMap(c.Capacity, capacity) || !sameMap(c.Allocatable, allocatable) ||
		!sameMap(c.Requested, requested) || !sameMap(c.Limits, limits)
	c.NodeCount, c.Capacity, c.Allocatable, c.Requested, c.Limits = t.NodeCount, capacity, allocatable, requested, limits
	c.Numeric = map[string]map[string]float64{
		"capacity": t.Capacity.Numbers(), "allocatable": t.Allocatable.Numbers(),
		"requested": t.Requested.Numbers(), "limits": t.Limits.Numbers(),
	}
	return changed
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// kubeNodeFrom keeps what the totals need from a client-go Node.
func kubeNodeFrom(n *corev1.Node) kubeNode {
	var k kubeNode
	k.Metadata.Name = n.Name
	k.Metadata.ResourceVersion = n.ResourceVersion
	k.Metadata.Annotations = n.Annotations
	k.Status.Capacity = quantityStrings(n.Status.Capacity)
	k.Status.Allocatable = quantityStrings(n.Status.Allocatable)
	for _, c := range n.Status.Conditions {
		k.Status.Conditions = append(k.Status.Conditions, struct {
			Type   string `json:"type"`
			Status string `json:"status"`
		}{string(c.Type), string(c.Status)})
	}
	return k
}

func quantityStrings(l corev1.ResourceList) map[string]string {
	if l == nil {
		return nil
	}
	out := make(map[string]string, len(l))
	for k, q := range l {
		out[string(k)] = q.String()
	}
	return out
}
