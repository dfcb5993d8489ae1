package main

// /v3/clusters: create (name must be unique), list with norman pagination
// and filters, get, and delete (state "removing", then gone).

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

func requestBase(r *http.Request) string { return "https://" + r.Host }

// clusterResource renders a cluster as the v3 API does: spec and status
// fields flattened onto the resource, id = metadata.name, name = displayName.
func clusterResource(c Cluster, base, creatorID string) map[string]any {
	self := base + "/v3/clusters/" + c.ID
	state, transitioning, msg := summarizeState(c.Conditions, c.Removing)
	res := map[string]any{
		"id": c.ID, "type": "cluster", "baseType": "cluster",
		"name": c.Name, "description": c.Description,
		"uuid": c.UUID, "created": c.Created, "createdTS": c.CreatedTS,
		"creatorId": creatorID, "internal": false,
		"labels": map[string]string{}, "annotations": map[string]string{},
		"state": state, "transitioning": transitioning, "transitioningMessage": msg,
		"conditions": c.Conditions,
		"driver":     c.Driver, "provider": "", "apiEndpoint": c.APIEndpoint, "caCert": c.CACert,
		"nodeCount": c.NodeCount,
		"capacity":  nonNil(c.Capacity), "allocatable": nonNil(c.Allocatable),
		"requested": nonNil(c.Requested), "limits": nonNil(c.Limits),
		"links": map[string]string{
			"self": self, "update": self, "remove": self,
			"clusterRegistrationTokens": self + "/clusterregistrationtokens",
		},
		"actions": map[string]string{},
	}
	if c.Version != nil {
		res["version"] = c.Version
	}
	if c.Removed != "" {
		res["removed"] = c.Removed
	}
	return res
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func (a *App) handleListClusters(w http.ResponseWriter, r *http.Request) {
	base := requestBase(r)
	q := r.URL.Query()
	var items []map[string]any
	var ids []string
	for _, c := range a.store.List() {
		if v := q.Get("name"); v != "" && c.Name != v {
			continue
		}
		if v := q.Get("id"); v != "" && c.ID != v {
			continue
		}
		res := clusterResource(c, base, a.adminUserID)
		if v := q.Get("state"); v != "" && res["state"] != v {
			continue
		}
		items = append(items, res)
		ids = append(ids, c.ID)
	}
	page, p := paginate(r, base, items, ids)
	writeJSON(w, http.StatusOK, collection{
		Type: "collection", ResourceType: "cluster",
		Links:       map[string]string{"self": base + r.URL.RequestURI()},
		CreateTypes: map[string]string{"cluster": base + "/v3/clusters"},
		Actions:     map[string]string{}, Pagination: p, Data: nonNilSlice(page),
	})
}

func nonNilSlice(s []map[string]any) []map[string]any {
	if s == nil {
		return []map[string]any{}
	}
	return s
}

func (a *App) handleCreateCluster(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Type        string `json:"type"`
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeNormanError(w, http.StatusUnprocessableEntity, "InvalidBodyContent", "invalid JSON body: "+err.Error(), "")
		return
	}
	name := strings.TrimSpace(body.Name)
	if name == "" {
		writeNormanError(w, http.StatusUnprocessableEntity, "MissingRequired", "name is required", "name")
		return
	}
	c, err := a.store.CreateCluster(name, body.Description, a.cfg.NamespaceDelay > 0)
	if errors.Is(err, errNotUnique) {
		writeNormanError(w, http.StatusUnprocessableEntity, "NotUnique", "Cluster name must be unique", "name")
		return
	}
	if err != nil {
		writeNormanError(w, http.StatusInternalServerError, "ServerError", err.Error(), "")
		return
	}
	a.log.Info("cluster created", "cluster", c.ID, "name", c.Name)
	if c.NamespacePending {
		a.scheduleNamespace(c.ID)
	}
	writeJSON(w, http.StatusCreated, clusterResource(c, requestBase(r), a.adminUserID))
}

func (a *App) handleGetCluster(w http.ResponseWriter, r *http.Request) {
	c, ok := a.store.Get(r.PathValue("id"))
	if !ok {
		writeNormanError(w, http.StatusNotFound, "NotFound", "clusters.management.cattle.io \""+r.PathValue("id")+"\" not found", "")
		return
	}
	writeJSON(w, http.StatusOK, clusterResource(c, requestBase(r), a.adminUserID))
}

func (a *App) handleDeleteCluster(w http.ResponseWriter, r *http.Request) {
	c, ok := a.deleteCluster(r.PathValue("id"))
	if !ok {
		writeNormanError(w, http.StatusNotFound, "NotFound", "clusters.management.cattle.io \""+r.PathValue("id")+"\" not found", "")
		return
	}
	writeJSON(w, http.StatusOK, clusterResource(c, requestBase(r), a.adminUserID))
}

// scheduleNamespace creates the cluster's management namespace after
// --namespace-delay, as Rancher's controllers do after POST /v3/clusters.
func (a *App) scheduleNamespace(id string) {
	time.AfterFunc(a.cfg.NamespaceDelay, func() {
		a.store.Update(id, func(c *Cluster) bool {
			if !c.NamespacePending {
				return false
			}
			c.NamespacePending = false
			return true
		})
	})
}
