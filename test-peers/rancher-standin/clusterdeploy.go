package main

// clusterdeploy: once the cluster has a node, render the agent manifest and
// apply every object downstream through the tunnel with create-or-replace
// semantics (what `kubectl apply` achieves for objects it owns), then set
// AgentDeployed=True. A failure sets AgentDeployed=False with the error, as
// norman's condition.Do does, and is retried on the next trigger.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// clusterScopedKinds drop metadata.namespace on apply, as the API server
// and kubectl do (the template gives cattle-admin-binding a namespace).
var clusterScopedKinds = map[string]bool{"Namespace": true, "ClusterRole": true, "ClusterRoleBinding": true}

// splitManifest parses a multi-document YAML stream into objects.
func splitManifest(manifest string) ([]map[string]any, error) {
	dec := yaml.NewDecoder(strings.NewReader(manifest))
	var out []map[string]any
	for {
		var obj map[string]any
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if obj != nil {
			out = append(out, obj)
		}
	}
}

// objectPaths returns the collection and item paths of an object.
func objectPaths(obj map[string]any) (collection, item, desc string, err error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if apiVersion == "" || kind == "" || name == "" {
		return "", "", "", fmt.Errorf("object without apiVersion/kind/name: %v", obj)
	}
	prefix := "/apis/" + apiVersion
	if apiVersion == "v1" {
		prefix = "/api/v1"
	}
	if clusterScopedKinds[kind] {
		delete(meta, "namespace")
	} else if ns, _ := meta["namespace"].(string); ns != "" {
		prefix += "/namespaces/" + ns
	} else {
		prefix += "/namespaces/default"
	}
	collection = prefix + "/" + strings.ToLower(kind) + "s"
	return collection, collection + "/" + name, kind + "/" + name, nil
}

func applyObject(ctx context.Context, ds *Downstream, obj map[string]any) (string, error) {
	collection, item, desc, err := objectPaths(obj)
	if err != nil {
		return "", err
	}
	var existing map[string]any
	err = ds.GetJSON(ctx, item, &existing)
	switch {
	case isStatus(err, http.StatusNotFound):
		if err := ds.call(ctx, http.MethodPost, collection, obj, nil); err != nil && !isStatus(err, http.StatusConflict) {
			return desc, fmt.Errorf("create %s: %w", desc, err)
		}
		return desc, nil
	case err != nil:
		return desc, fmt.Errorf("get %s: %w", desc, err)
	}
	// Replace, carrying over what the server owns.
	oldMeta, _ := existing["metadata"].(map[string]any)
	meta, _ := obj["metadata"].(map[string]any)
	meta["resourceVersion"] = oldMeta["resourceVersion"]
	if obj["kind"] == "Service" {
		if oldSpec, ok := existing["spec"].(map[string]any); ok {
			spec, _ := obj["spec"].(map[string]any)
			for _, k := range []string{"clusterIP", "clusterIPs"} {
				if v, ok := oldSpec[k]; ok {
					spec[k] = v
				}
			}
		}
	}
	if err := ds.call(ctx, http.MethodPut, item, obj, nil); err != nil {
		return desc, fmt.Errorf("update %s: %w", desc, err)
	}
	return desc, nil
}

// registrationTokenFor returns the cluster's oldest registration token,
// creating one if needed (Rancher ensures a system token the same way).
func (a *App) registrationTokenFor(clusterID string) (string, error) {
	if ts := a.store.Tokens(clusterID); len(ts) > 0 {
		return ts[0].Token, nil
	}
	t, err := a.store.CreateToken(clusterID)
	if err != nil {
		return "", err
	}
	a.scheduleTokenStatus(t.Token)
	return t.Token, nil
}

func (cm *clusterManager) deployAgent() {
	cm.record(func(rt *ManagerRuntime) { rt.DeployAttempts++ })
	applied, err := cm.applyAgentManifest()
	cm.record(func(rt *ManagerRuntime) {
		rt.DeployedObjects = applied
		if err != nil {
			rt.LastDeployError = err.Error()
		} else {
			rt.LastDeployError = ""
		}
	})
	if cm.ctx.Err() != nil {
		return
	}
	cm.a.store.Update(cm.id, func(c *Cluster) bool {
		if err != nil {
			return setCondition(&c.Conditions, condAgentDeployed, "False", "Error", err.Error())
		}
		return setCondition(&c.Conditions, condAgentDeployed, "True", "", "")
	})
	if err != nil {
		cm.a.log.Warn("agent deploy failed", "cluster", cm.id, "err", err)
	} else {
		cm.a.log.Info("agent deployed", "cluster", cm.id, "objects", len(applied))
	}
}

func (cm *clusterManager) applyAgentManifest() ([]string, error) {
	ds, err := cm.downstream()
	if err != nil {
		return nil, err
	}
	token, err := cm.a.registrationTokenFor(cm.id)
	if err != nil {
		return nil, err
	}
	server := cm.a.serverURL()
	if server == "" {
		server = cm.a.listenURL
	}
	manifest, err := cm.a.renderManifest(server, token)
	if err != nil {
		return nil, err
	}
	objs, err := splitManifest(manifest)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(cm.ctx, 60*time.Second)
	defer cancel()
	var applied []string
	for _, obj := range objs {
		desc, err := applyObject(ctx, ds, obj)
		if err != nil {
			return applied, err
		}
		applied = append(applied, desc)
	}
	return applied, nil
}
