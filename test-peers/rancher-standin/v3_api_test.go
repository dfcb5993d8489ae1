package main

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestV3ClusterLifecycle(t *testing.T) {
	s := startStandin(t, "")

	// Authentication: none → 401; bearer, URL-safe basic and cookie work.
	if code, res := s.do("GET", s.URL+"/v3/clusters", nil, ""); code != 401 || res["code"] != "Unauthorized" {
		t.Fatalf("no auth: %d %v", code, res)
	}
	if code, _ := s.do("GET", s.URL+"/v3/clusters", nil, "Bearer token-abcde:wrong"); code != 401 {
		t.Fatalf("wrong token: %d", code)
	}
	basic := "Basic " + base64.URLEncoding.EncodeToString([]byte(testAdminToken))
	if code, _ := s.do("GET", s.URL+"/v3/clusters", nil, basic); code != 200 {
		t.Fatalf("basic auth: %d", code)
	}

	idRe := regexp.MustCompile(`^c-[bcdfghjklmnpqrstvwxz2456789]{5}$`)
	var ids []string
	for i := 0; i < 5; i++ {
		id := s.createCluster(fmt.Sprintf("cl-%d", i))
		if !idRe.MatchString(id) {
			t.Fatalf("cluster id %q", id)
		}
		ids = append(ids, id)
	}
	code, res := s.api("POST", "/v3/clusters", map[string]any{"type": "cluster", "name": "cl-3"})
	if code != 422 || res["code"] != "NotUnique" || res["type"] != "error" {
		t.Fatalf("duplicate name: %d %v", code, res)
	}
	if code, res := s.api("POST", "/v3/clusters", map[string]any{"type": "cluster"}); code != 422 || res["code"] != "MissingRequired" {
		t.Fatalf("missing name: %d %v", code, res)
	}

	// A fresh imported cluster is pending, with Rancher's fields present.
	code, c := s.api("GET", "/v3/clusters/"+ids[0], nil)
	if code != 200 || c["state"] != "pending" || c["name"] != "cl-0" || c["type"] != "cluster" {
		t.Fatalf("get: %d %v", code, c)
	}
	for _, f := range []string{"conditions", "capacity", "allocatable", "requested", "limits", "nodeCount", "driver", "apiEndpoint", "links"} {
		if _, ok := c[f]; !ok {
			t.Errorf("cluster lacks %s", f)
		}
	}

	// Pagination: limit 2 walks 3 pages through pagination.next.
	seen := map[string]bool{}
	next := s.URL + "/v3/clusters?limit=2"
	pages := 0
	for next != "" {
		code, page := s.do("GET", next, nil, "Bearer "+testAdminToken)
		if code != 200 {
			t.Fatalf("page: %d", code)
		}
		pages++
		p := page["pagination"].(map[string]any)
		if p["total"].(float64) != 5 || p["limit"].(float64) != 2 {
			t.Fatalf("pagination: %v", p)
		}
		for _, d := range page["data"].([]any) {
			seen[d.(map[string]any)["id"].(string)] = true
		}
		next, _ = p["next"].(string)
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if pages != 3 || len(seen) != 5 {
		t.Fatalf("pages %d, seen %d", pages, len(seen))
	}

	// Filter by name.
	_, list := s.api("GET", "/v3/clusters?name=cl-2", nil)
	if data := list["data"].([]any); len(data) != 1 || data[0].(map[string]any)["id"] != ids[2] {
		t.Fatalf("filter: %v", list["data"])
	}

	// Delete: removing, then 404.
	code, del := s.api("DELETE", "/v3/clusters/"+ids[1], nil)
	if code != 200 || del["state"] != "removing" {
		t.Fatalf("delete: %d %v", code, del)
	}
	eventually(t, 5*time.Second, func() string {
		if code, _ := s.api("GET", "/v3/clusters/"+ids[1], nil); code != 404 {
			return fmt.Sprintf("still %d", code)
		}
		return ""
	})
	if code, _ := s.api("DELETE", "/v3/clusters/"+ids[1], nil); code != 404 {
		t.Fatalf("second delete: %d", code)
	}
}

func TestRegistrationTokens(t *testing.T) {
	s := startStandin(t, "")
	id := s.createCluster("tok")
	crt := s.createToken(id)
	tok := crt["token"].(string)
	if !regexp.MustCompile(`^[bcdfghjklmnpqrstvwxz2456789]{54}$`).MatchString(tok) {
		t.Fatalf("token %q", tok)
	}
	if !regexp.MustCompile(`^` + id + `:crt-[bcdfghjklmnpqrstvwxz2456789]{5}$`).MatchString(crt["id"].(string)) {
		t.Fatalf("crt id %v", crt["id"])
	}
	if crt["manifestUrl"] != "" {
		t.Fatalf("manifestUrl should be filled asynchronously, got %v", crt["manifestUrl"])
	}
	want := s.URL + "/v3/import/" + tok + "_" + id + ".yaml"
	eventually(t, 5*time.Second, func() string {
		_, list := s.api("GET", "/v3/clusterregistrationtokens?clusterId="+id, nil)
		data := list["data"].([]any)
		if len(data) != 1 {
			return fmt.Sprintf("%d tokens", len(data))
		}
		d := data[0].(map[string]any)
		if d["manifestUrl"] != want || d["command"] != "kubectl apply -f "+want ||
			d["insecureCommand"] != "curl --insecure -sfL "+want+" | kubectl apply -f -" {
			return fmt.Sprintf("token fields %v", d)
		}
		return ""
	})
	_, sub := s.api("GET", "/v3/clusters/"+id+"/clusterregistrationtokens", nil)
	if len(sub["data"].([]any)) != 1 {
		t.Fatalf("cluster sub-collection: %v", sub)
	}
	if code, res := s.api("POST", "/v3/clusterregistrationtokens", map[string]any{"type": "clusterRegistrationToken", "clusterId": "c-nope0"}); code != 422 {
		t.Fatalf("unknown cluster: %d %v", code, res)
	}
}

func TestTokenURLsStayEmptyWithoutServerURL(t *testing.T) {
	s := startStandin(t, "", "--server-url", "")
	id := s.createCluster("no-url")
	s.createToken(id)
	time.Sleep(400 * time.Millisecond)
	_, list := s.api("GET", "/v3/clusterregistrationtokens?clusterId="+id, nil)
	if d := list["data"].([]any)[0].(map[string]any); d["manifestUrl"] != "" || d["command"] != "" {
		t.Fatalf("fields filled without server-url: %v", d)
	}
}

func TestCACertsSetting(t *testing.T) {
	s := startStandin(t, "")
	code, res := s.do("GET", s.URL+"/v3/settings/cacerts", nil, "")
	if code != http.StatusOK || strings.TrimSpace(s.CAPEM) != res["value"] {
		t.Fatalf("cacerts: %d %v", code, res)
	}
}
