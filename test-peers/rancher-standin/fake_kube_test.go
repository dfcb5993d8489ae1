package main

// fakeKube is just enough of a kube-apiserver for Rancher's controllers and
// the stand-in's proxy: nodes with list, watch and watch-list (sendInitialEvents),
// kube-system and /version, generic object storage for everything written
// (JSON or protobuf bodies, generateName, 409 AlreadyExists, label-selector
// lists), a token controller that fills service-account-token Secrets, and
// impersonation: a request with a minted service account token must carry
// Impersonate-User, and is recorded. It answers JSON only (clients accept it).

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes/scheme"
)

type fakeKube struct {
	token   string
	mu      sync.Mutex
	nodes   map[string]map[string]any
	objects map[string]map[string]any
	rv      int
	events  chan map[string]any
	stop    chan struct{}
	// rejectProtobuf answers 415 to protobuf bodies, like an API without protobuf support.
	rejectProtobuf bool
	// minted service account tokens -> "namespace/name"
	saTokens map[string]string
	writes   []fakeWrite
	imperson []fakeImpersonated
}

// fakeWrite is one write: method, path and the body's Content-Type, the Accept header.
type fakeWrite struct {
	Method, Path, ContentType, Accept string
	// Impersonated: made through the /k8s/clusters proxy (kubectl).
	Impersonated bool
}

// fakeImpersonated is one request made with an impersonation token.
type fakeImpersonated struct {
	Method, Path, ServiceAccount, User string
	Groups                             []string
	Extra                              map[string][]string
}

func testNode(name, cpu, mem, allocCPU, allocMem, requests, limits string) map[string]any {
	return map[string]any{
		"kind": "Node", "apiVersion": "v1",
		"metadata": map[string]any{"name": name, "resourceVersion": "1", "annotations": map[string]any{
			annotationPodRequests: requests, annotationPodLimits: limits}},
		"status": map[string]any{
			"capacity":    map[string]any{"cpu": cpu, "memory": mem, "pods": "110"},
			"allocatable": map[string]any{"cpu": allocCPU, "memory": allocMem, "pods": "110"},
		},
	}
}

func newFakeKube(token string) *fakeKube {
	return &fakeKube{
		token: token, rv: 10, objects: map[string]map[string]any{}, saTokens: map[string]string{},
		events: make(chan map[string]any, 10), stop: make(chan struct{}),
		nodes: map[string]map[string]any{
			"n1": testNode("n1", "4", "16Gi", "3800m", "15Gi", `{"cpu":"750m","memory":"1536Mi","pods":"7"}`, `{"cpu":"1","memory":"2Gi"}`),
			"n2": testNode("n2", "8", "32Gi", "7800m", "31Gi", `{"cpu":"250m","memory":"512Mi","pods":"3"}`, `{"cpu":"500m","memory":"1Gi"}`),
		},
	}
}

func kubeStatus(code int, reason, message string) map[string]any {
	return map[string]any{"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{}, "status": "Failure",
		"code": code, "reason": reason, "message": message}
}

func (f *fakeKube) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	write := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	sa, impersonating := f.saTokens[auth]
	if impersonating {
		rec := fakeImpersonated{Method: r.Method, Path: r.URL.Path, ServiceAccount: sa, User: r.Header.Get("Impersonate-User"),
			Groups: r.Header.Values("Impersonate-Group"), Extra: map[string][]string{}}
		for k, v := range r.Header {
			if strings.HasPrefix(k, "Impersonate-Extra-") {
				rec.Extra[strings.ToLower(strings.TrimPrefix(k, "Impersonate-Extra-"))] = v
			}
		}
		f.imperson = append(f.imperson, rec)
	}
	f.mu.Unlock()
	switch {
	case auth == f.token:
	case impersonating && r.Header.Get("Impersonate-User") != "":
	default:
		write(401, kubeStatus(401, "Unauthorized", "Unauthorized"))
		return
	}
	switch {
	case r.URL.Path == "/api/v1/namespaces/kube-system" && r.Method == "GET":
		write(200, map[string]any{"kind": "Namespace", "apiVersion": "v1", "metadata": map[string]any{"name": "kube-system"}})
	case r.URL.Path == "/version":
		write(200, map[string]any{"major": "1", "minor": "31", "gitVersion": "v1.31.0"})
	case r.URL.Path == "/openapi/v3" || r.URL.Path == "/openapi/v2":
		write(200, map[string]any{"paths": map[string]any{}})
	case r.URL.Path == "/api/v1/nodes" && r.URL.Query().Get("watch") == "true":
		f.watchNodes(w, r)
	case r.URL.Path == "/api/v1/nodes":
		write(200, map[string]any{"kind": "NodeList", "apiVersion": "v1", "metadata": map[string]any{"resourceVersion": "10"}, "items": f.nodeItems()})
	default:
		f.serveObject(w, r, write)
	}
}

func (f *fakeKube) nodeItems() []any {
	f.mu.Lock()
	defer f.mu.Unlock()
	items := []any{}
	for _, name := range sortedKeys(f.nodes) {
		items = append(items, f.nodes[name])
	}
	return items
}

// watchNodes streams events; with sendInitialEvents=true it first sends the
// current nodes and the initial-events-end bookmark (watch-list).
func (f *fakeKube) watchNodes(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	enc := json.NewEncoder(w)
	if r.URL.Query().Get("sendInitialEvents") == "true" {
		for _, n := range f.nodeItems() {
			_ = enc.Encode(map[string]any{"type": "ADDED", "object": n})
		}
		_ = enc.Encode(map[string]any{"type": "BOOKMARK", "object": map[string]any{"kind": "Node", "apiVersion": "v1",
			"metadata": map[string]any{"resourceVersion": "10", "annotations": map[string]any{"k8s.io/initial-events-end": "true"}}}})
	}
	w.(http.Flusher).Flush()
	for {
		select {
		case ev := <-f.events:
			_ = enc.Encode(ev)
			w.(http.Flusher).Flush()
		case <-r.Context().Done():
			return
		case <-f.stop:
			return
		}
	}
}

// listKinds names the List kind of a collection path's last segment.
var listKinds = map[string]string{"secrets": "SecretList", "serviceaccounts": "ServiceAccountList", "namespaces": "NamespaceList",
	"clusterroles": "ClusterRoleList", "clusterrolebindings": "ClusterRoleBindingList"}

// decodeBody reads a JSON or protobuf body into a JSON-like map.
func decodeBody(r *http.Request) (map[string]any, string, error) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, "", err
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == contentTypeProtobuf {
		obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(raw, nil, nil)
		if err != nil {
			return nil, ct, err
		}
		if raw, err = json.Marshal(obj); err != nil {
			return nil, ct, err
		}
	}
	var o map[string]any
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, ct, err
	}
	return o, ct, nil
}

// serveObject stores whatever the stand-in, the fake kubectl and the cleanup create.
func (f *fakeKube) serveObject(w http.ResponseWriter, r *http.Request, write func(int, any)) {
	switch r.Method {
	case "GET":
		f.mu.Lock()
		defer f.mu.Unlock()
		if o, ok := f.objects[r.URL.Path]; ok {
			write(200, o)
			return
		}
		seg := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		if kind, ok := listKinds[seg]; ok {
			sel, err := labels.Parse(r.URL.Query().Get("labelSelector"))
			if err != nil {
				write(400, kubeStatus(400, "BadRequest", err.Error()))
				return
			}
			items := []any{}
			for _, p := range sortedKeys(f.objects) {
				if strings.HasPrefix(p, r.URL.Path+"/") && !strings.Contains(strings.TrimPrefix(p, r.URL.Path+"/"), "/") {
					o := f.objects[p]
					meta, _ := o["metadata"].(map[string]any)
					ls := labels.Set{}
					if m, ok := meta["labels"].(map[string]any); ok {
						for k, v := range m {
							ls[k] = fmt.Sprint(v)
						}
					}
					if sel.Matches(ls) {
						items = append(items, o)
					}
				}
			}
			write(200, map[string]any{"kind": kind, "apiVersion": "v1", "metadata": map[string]any{"resourceVersion": fmt.Sprint(f.rv)}, "items": items})
			return
		}
		write(404, kubeStatus(404, "NotFound", fmt.Sprintf("%s not found", r.URL.Path)))
	case "POST", "PUT":
		o, ct, err := decodeBody(r)
		f.mu.Lock()
		defer f.mu.Unlock()
		f.writes = append(f.writes, fakeWrite{Method: r.Method, Path: r.URL.Path, ContentType: ct, Accept: r.Header.Get("Accept"),
			Impersonated: r.Header.Get("Impersonate-User") != ""})
		if ct == contentTypeProtobuf && f.rejectProtobuf {
			write(415, kubeStatus(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"))
			return
		}
		if err != nil {
			write(400, kubeStatus(400, "BadRequest", err.Error()))
			return
		}
		meta, _ := o["metadata"].(map[string]any)
		if meta == nil {
			meta = map[string]any{}
			o["metadata"] = meta
		}
		path := r.URL.Path
		if r.Method == "POST" {
			name, _ := meta["name"].(string)
			if name == "" {
				gen, _ := meta["generateName"].(string)
				name = gen + randomString(5)
				meta["name"] = name
			}
			path += "/" + name
			if _, exists := f.objects[path]; exists {
				write(409, kubeStatus(409, "AlreadyExists", fmt.Sprintf("%s already exists", path)))
				return
			}
			meta["uid"] = newUUID()
			// the token controller
			if o["type"] == "kubernetes.io/service-account-token" {
				ns := strings.Split(path, "/")[4]
				ann, _ := meta["annotations"].(map[string]any)
				saName, _ := ann["kubernetes.io/service-account.name"].(string)
				tok := "sa-tok-" + randomString(20)
				f.saTokens[tok] = ns + "/" + saName
				o["data"] = map[string]any{"token": base64.StdEncoding.EncodeToString([]byte(tok)), "namespace": base64.StdEncoding.EncodeToString([]byte(ns))}
			}
		} else if old, ok := f.objects[path]; ok {
			meta["uid"] = old["metadata"].(map[string]any)["uid"]
		}
		f.rv++
		meta["resourceVersion"] = fmt.Sprint(f.rv)
		f.objects[path] = o
		write(map[string]int{"POST": 201, "PUT": 200}[r.Method], o)
	case "DELETE":
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.objects[r.URL.Path]; !ok {
			write(404, kubeStatus(404, "NotFound", "not found"))
			return
		}
		delete(f.objects, r.URL.Path)
		write(200, map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Success"})
	default:
		write(405, kubeStatus(405, "MethodNotAllowed", r.Method))
	}
}

func (f *fakeKube) object(path string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.objects[path]
}

func (f *fakeKube) paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return sortedKeys(f.objects)
}

func (f *fakeKube) writesTo(prefix string) []fakeWrite {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeWrite
	for _, w := range f.writes {
		if strings.HasPrefix(w.Path, prefix) {
			out = append(out, w)
		}
	}
	return out
}

func (f *fakeKube) impersonated() []fakeImpersonated {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeImpersonated(nil), f.imperson...)
}
