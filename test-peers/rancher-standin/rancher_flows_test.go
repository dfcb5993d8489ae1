package main

// What the end-to-end run must show of Rancher's downstream behaviour: the
// content types of the writes, the impersonation objects and rules, the
// CRTB sync, kubectl going through the /k8s/clusters proxy as the cluster's
// system account, and the proxy itself.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func condByType(conds []any, typ string) map[string]any {
	for _, c := range conds {
		if m, _ := c.(map[string]any); m["type"] == typ {
			return m
		}
	}
	return map[string]any{}
}

func checkRancherDownstreamWrites(t *testing.T, s *standin, kube *fakeKube, id string, st map[string]any) {
	t.Helper()
	_, info := s.control("GET", "/info", nil)
	admin := info["adminUserId"].(string)
	sys, _ := st["systemUserId"].(string)
	if !strings.HasPrefix(admin, "user-") || len(admin) != 10 || !strings.HasPrefix(sys, "u-") {
		t.Fatalf("admin user %q, system user %q", admin, sys)
	}
	if condByType(st["conditions"].([]any), condSystemAccountCreated)["status"] != "True" {
		t.Errorf("SystemAccountCreated: %v", st["conditions"])
	}

	// The token secrets went out as protobuf (client-go typed client), the
	// namespace/SA/ClusterRole/binding as JSON asking for protobuf back.
	secrets := kube.writesTo("/api/v1/namespaces/cattle-impersonation-system/secrets")
	if len(secrets) < 2 {
		t.Fatalf("impersonation secrets written: %v", secrets)
	}
	for _, w := range secrets {
		if w.ContentType != contentTypeProtobuf || !strings.HasPrefix(w.Accept, "application/vnd.kubernetes.protobuf") {
			t.Errorf("secret write %+v: want protobuf", w)
		}
	}
	for _, prefix := range []string{"/api/v1/namespaces", "/api/v1/namespaces/cattle-impersonation-system/serviceaccounts",
		"/apis/rbac.authorization.k8s.io/v1/clusterroles", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"} {
		checked := 0
		for _, w := range kube.writesTo(prefix) {
			if w.Impersonated || w.Path != prefix {
				continue
			}
			checked++
			if w.ContentType != contentTypeJSON || w.Accept != wranglerAcceptContentTypes {
				t.Errorf("write %+v: want JSON with Accept %q", w, wranglerAcceptContentTypes)
			}
		}
		if checked == 0 {
			t.Errorf("no write to %s by the stand-in itself", prefix)
		}
	}
	// Everything the agent manifest contains came through kubectl (JSON).
	for _, w := range kube.writesTo("/apis/apps/v1/namespaces/cattle-system/deployments") {
		if w.ContentType != contentTypeJSON {
			t.Errorf("deployment write %+v", w)
		}
	}

	// The impersonation objects, with Rancher's names, labels and rules.
	for _, u := range []string{admin, sys} {
		name := impersonationPrefix + u
		cr := kube.object("/apis/rbac.authorization.k8s.io/v1/clusterroles/" + name)
		sa := kube.object("/api/v1/namespaces/cattle-impersonation-system/serviceaccounts/" + name)
		crb := kube.object("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/" + name)
		if cr == nil || sa == nil || crb == nil {
			t.Fatalf("impersonation objects of %s missing: %v", u, kube.paths())
		}
		for _, o := range []map[string]any{cr, sa, crb} {
			if o["metadata"].(map[string]any)["labels"].(map[string]any)[impersonationLabel] != "true" {
				t.Errorf("%s %s: label %v", o["kind"], name, o["metadata"])
			}
		}
		if owner := sa["metadata"].(map[string]any)["ownerReferences"].([]any)[0].(map[string]any); owner["kind"] != "ClusterRole" || owner["name"] != name {
			t.Errorf("SA owner %v", owner)
		}
		subj := crb["subjects"].([]any)[0].(map[string]any)
		if subj["kind"] != "ServiceAccount" || subj["name"] != name || subj["namespace"] != impersonationNamespace ||
			crb["roleRef"].(map[string]any)["name"] != name {
			t.Errorf("binding %v", crb)
		}
		rules := cr["rules"].([]any)
		if len(rules) != 6 {
			t.Fatalf("rules of %s: %v", name, rules)
		}
		r0 := rules[0].(map[string]any)
		if fmt.Sprint(r0["resources"]) != "[users]" || fmt.Sprint(r0["resourceNames"]) != "["+u+"]" || fmt.Sprint(r0["verbs"]) != "[impersonate]" {
			t.Errorf("first rule %v", r0)
		}
		groups := rules[3].(map[string]any)
		if fmt.Sprint(groups["resources"]) != "[groups]" || fmt.Sprint(groups["resourceNames"]) != "[system:authenticated system:cattle:authenticated]" {
			t.Errorf("groups rule %v", groups)
		}
	}
	// The token secret: generateName, type, annotation, label, owner.
	var secret map[string]any
	for _, p := range kube.paths() {
		if strings.HasPrefix(p, "/api/v1/namespaces/cattle-impersonation-system/secrets/cattle-impersonation-"+admin+"-token-") {
			secret = kube.object(p)
		}
	}
	if secret == nil || secret["type"] != "kubernetes.io/service-account-token" {
		t.Fatalf("admin token secret: %v", secret)
	}
	meta := secret["metadata"].(map[string]any)
	if meta["annotations"].(map[string]any)["kubernetes.io/service-account.name"] != impersonationPrefix+admin ||
		meta["labels"].(map[string]any)["cattle.io/service-account.name"] != impersonationPrefix+admin ||
		meta["ownerReferences"].([]any)[0].(map[string]any)["kind"] != "ServiceAccount" {
		t.Errorf("secret metadata %v", meta)
	}

	// cluster-crtb-sync: cluster-owner role, a crb-<hash> per user, all conditions True.
	if kube.object("/apis/rbac.authorization.k8s.io/v1/clusterroles/cluster-owner") == nil {
		t.Errorf("no cluster-owner ClusterRole: %v", kube.paths())
	}
	for _, u := range []string{admin, sys} {
		crb := kube.object("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/" + crbNameFor("ClusterRole", "cluster-owner", "User", u))
		if crb == nil || crb["subjects"].([]any)[0].(map[string]any)["name"] != u {
			t.Errorf("cluster-owner binding of %s: %v", u, crb)
		}
	}
	eventually(t, 10*time.Second, func() string {
		_, st := s.control("GET", "/clusters/"+id, nil)
		crtbs, _ := st["crtbs"].([]any)
		if len(crtbs) != 2 {
			return fmt.Sprintf("crtbs %v", st["crtbs"])
		}
		for _, c := range crtbs {
			conds := c.(map[string]any)["remoteConditions"].([]any)
			if len(conds) != 3 {
				return fmt.Sprintf("crtb %v", c)
			}
			for _, typ := range []string{"ClusterRolesExists", "ClusterRoleBindingsExists", "ServiceAccountImpersonatorExists"} {
				if condByType(conds, typ)["status"] != "True" {
					return fmt.Sprintf("crtb %v", c)
				}
			}
		}
		return ""
	})

	// kubectl went through /k8s/clusters/<id> as the system account.
	var sawSystem bool
	for _, r := range kube.impersonated() {
		if r.User != sys || r.Path != "/apis/apps/v1/namespaces/cattle-system/deployments/cattle-cluster-agent" {
			continue
		}
		sawSystem = true
		if r.ServiceAccount != impersonationNamespace+"/"+impersonationPrefix+sys ||
			!reflect.DeepEqual(r.Groups, []string{"system:authenticated", "system:cattle:authenticated"}) ||
			!strings.HasPrefix(fmt.Sprint(r.Extra["requesttokenid"]), "[agent-"+sys) ||
			fmt.Sprint(r.Extra["principalid"]) != "[system://"+id+"]" || len(r.Extra["requesthost"]) != 1 {
			t.Errorf("kubectl request as %+v", r)
		}
		if _, ok := r.Extra["username"]; ok {
			t.Errorf("system account has no username, yet Impersonate-Extra-Username was sent: %+v", r)
		}
	}
	if !sawSystem {
		t.Errorf("no impersonated request of the system account: %+v", kube.impersonated())
	}
}

func checkK8sProxy(t *testing.T, s *standin, kube *fakeKube, id string) {
	t.Helper()
	_, info := s.control("GET", "/info", nil)
	admin := info["adminUserId"].(string)
	get := func(path, auth string) (int, string, http.Header) {
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		req.Header.Set("Impersonate-User", "system:admin") // must not pass through
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	bearer := "Bearer " + testAdminToken
	if code, body, _ := get("/k8s/clusters/"+id+"/version", bearer); code != 200 || !strings.Contains(body, "v1.31.0") {
		t.Errorf("proxy /version: %d %s", code, body)
	}
	var last fakeImpersonated
	for _, r := range kube.impersonated() {
		if r.Path == "/version" {
			last = r
		}
	}
	if last.User != admin || last.ServiceAccount != impersonationNamespace+"/"+impersonationPrefix+admin ||
		fmt.Sprint(last.Extra["username"]) != "[admin]" || fmt.Sprint(last.Extra["principalid"]) != "[local://"+admin+"]" ||
		fmt.Sprint(last.Extra["requesttokenid"]) != "[token-abcde]" || fmt.Sprint(last.Extra["requesthost"]) != "["+strings.TrimPrefix(s.URL, "https://")+"]" {
		t.Errorf("proxied request: %+v", last)
	}
	if code, body, _ := get("/k8s/clusters/"+id+"/api/v1/namespaces/nope", bearer); code != 404 || !strings.Contains(body, `"kind":"Status"`) {
		t.Errorf("proxied 404: %d %s", code, body)
	}
	if code, _, _ := get("/k8s/clusters/"+id+"/version", ""); code != 401 {
		t.Errorf("no token: %d", code)
	}
	if code, body, _ := get("/k8s/clusters/c-nope/version", bearer); code != 404 || !strings.Contains(body, "No cluster available") {
		t.Errorf("unknown cluster: %d %s", code, body)
	}
	code, body, _ := get("/k8s/clusters/"+id+"/v1/namespaces?limit=1", bearer)
	var steve map[string]any
	_ = json.Unmarshal([]byte(body), &steve)
	if code != 200 || steve["path"] != "/v1/namespaces" || steve["prefix"] != "/k8s/clusters/"+id || steve["user"] != admin ||
		// Rancher's proxy keeps the user's Host, so Steve's links point back at Rancher.
		steve["authorization"] != "" || steve["host"] != strings.TrimPrefix(s.URL, "https://") {
		t.Errorf("steve proxy: %d %s", code, body)
	}
}

// An API that cannot read protobuf (415) fails the impersonation token
// secret: the failure shows on the CRTBs, and clusterdeploy, whose kubectl
// needs the proxy, reports it in AgentDeployed.
func TestProtobufRejectedIsVisible(t *testing.T) {
	s := startStandin(t, "", "--kubectl-tries", "1")
	id := s.createCluster("noproto")
	tok := s.createToken(id)["token"].(string)
	kube := newFakeKube("sa-token-np")
	kube.rejectProtobuf = true
	kubeSrv := httptestTLS(t, kube)
	startFakeAgent(t, s, tok, kubeSrv.Listener.Addr().String(), "sa-token-np", serverCAPEM(kubeSrv), pingServer(t).Listener.Addr().String())
	eventually(t, 20*time.Second, func() string {
		_, st := s.control("GET", "/clusters/"+id, nil)
		ad := condByType(st["conditions"].([]any), condAgentDeployed)
		msg, _ := ad["message"].(string)
		if ad["status"] != "False" || !strings.Contains(msg, "Error while applying agent YAML, it will be retried automatically") ||
			!strings.Contains(msg, "unable to create impersonator account") || !strings.Contains(msg, "unknown format") {
			return fmt.Sprintf("AgentDeployed %v", ad)
		}
		if st["state"] != "provisioning" || st["transitioning"] != "error" {
			return fmt.Sprintf("state %v/%v", st["state"], st["transitioning"])
		}
		crtbs, _ := st["crtbs"].([]any)
		if len(crtbs) == 0 {
			return "no crtbs"
		}
		imp := condByType(crtbs[0].(map[string]any)["remoteConditions"].([]any), "ServiceAccountImpersonatorExists")
		m, _ := imp["message"].(string)
		if imp["status"] != "False" || imp["reason"] != "FailedToCreateServiceAccountImpersonator" ||
			!strings.HasPrefix(m, "couldn't ensure service account impersonator: ") {
			return fmt.Sprintf("crtb %v", crtbs[0])
		}
		ctl := st["controllers"].(map[string]any)
		if ctl["crtbSyncFailures"].(float64) < 1 || !strings.Contains(fmt.Sprint(ctl["lastKubectlOutput"]), "unable to create impersonator account") {
			return fmt.Sprintf("controllers %v", ctl)
		}
		return ""
	})
	// No token leaks into what is shown.
	_, st := s.control("GET", "/clusters/"+id, nil)
	raw, _ := json.Marshal(st)
	if strings.Contains(string(raw), testAdminToken[12:]) || strings.Contains(string(raw), "sa-token-np") {
		t.Errorf("a secret is shown: %s", raw)
	}
}
