package main

// Random names and secrets in the shapes Rancher produces, so agents and
// tests that validate formats see realistic values.

import (
	"crypto/rand"
	"math/big"
)

// tokenAlphabet is wrangler's randomtoken alphabet (and apimachinery's
// rand.String alphabet): no vowels, no look-alike characters.
const tokenAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// registrationTokenLength is wrangler randomtoken's token length.
const registrationTokenLength = 54

func randomString(n int) string {
	out := make([]byte, n)
	max := big.NewInt(int64(len(tokenAlphabet)))
	for i := range out {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err) // crypto/rand never fails on Linux
		}
		out[i] = tokenAlphabet[v.Int64()]
	}
	return string(out)
}

// newClusterID mimics norman's GenerateTypePrefix: "c-" plus 5 characters.
func newClusterID() string { return "c-" + randomString(5) }

// newCRTName mimics generateName "crt-" on a ClusterRegistrationToken.
func newCRTName() string { return "crt-" + randomString(5) }

func newRegistrationToken() string { return randomString(registrationTokenLength) }

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&0xf])
	}
	return string(out)
}
