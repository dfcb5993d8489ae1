package main

import "testing"

func TestParseAndFormatQuantity(t *testing.T) {
	cases := map[string]string{
		"250m": "250m", "1": "1", "2000m": "2", "1536Mi": "1536Mi", "1024Mi": "1Gi",
		"3000": "3k", "110": "110", "1e3": "1k", "0.5": "500m", "1.5Gi": "1536Mi",
		"16G": "16G", "512": "512", "1Ki": "1Ki", "0": "0", "100k": "100k", "1Ti": "1Ti",
	}
	for in, want := range cases {
		q, err := ParseQuantity(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := q.String(); got != want {
			t.Errorf("%s: got %s want %s", in, got, want)
		}
	}
	for _, bad := range []string{"", "abc", "12Xi", "1.2.3"} {
		if _, err := ParseQuantity(bad); err == nil {
			t.Errorf("%q should not parse", bad)
		}
	}
}

func TestResourceTotalsSum(t *testing.T) {
	tot := ResourceTotals{}
	tot.Add(map[string]string{"cpu": "4", "memory": "16Gi", "pods": "110"})
	tot.Add(map[string]string{"cpu": "1500m", "memory": "512Mi", "pods": "110", "ephemeral-storage": "100Gi"})
	s := tot.Strings()
	want := map[string]string{"cpu": "5500m", "memory": "16896Mi", "pods": "220", "ephemeral-storage": "100Gi"}
	for k, v := range want {
		if s[k] != v {
			t.Errorf("%s: got %s want %s", k, s[k], v)
		}
	}
	n := tot.Numbers()
	if n["cpu"] != 5.5 || n["memory"] != 16896*1024*1024 || n["pods"] != 220 {
		t.Errorf("numbers: %v", n)
	}
	// Format follows the first operand, as apimachinery's Quantity.Add does.
	tot2 := ResourceTotals{}
	tot2.Add(map[string]string{"memory": "1G"})
	tot2.Add(map[string]string{"memory": "1Gi"})
	if got := tot2.Strings()["memory"]; got != "2073741824" {
		t.Errorf("mixed formats: %s", got)
	}
	if errs := tot2.Add(map[string]string{"cpu": "bogus"}); len(errs) != 1 {
		t.Errorf("bad quantity not reported")
	}
}
