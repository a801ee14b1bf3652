package harness

import "github.com/zkcurator/zkcurator/testserver"

// startEmbedded starts the embedded Go server in this process.
func startEmbedded() (connect string, closeFn func() error, err error) {
	s, err := testserver.Start()
	if err != nil {
		return "", nil, err
	}
	return s.ConnectString(), s.Close, nil
}
