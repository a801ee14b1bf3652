package zk_test

import (
	"fmt"

	"github.com/zkcurator/zkcurator/zk"
)

// ParseConfig reads the data of /zookeeper/config (as GetConfig returns
// it); ClientServers is the list an ensemble tracker hands to
// UpdateServerList.
func ExampleParseConfig() {
	cfg, err := zk.ParseConfig([]byte("server.1=10.0.0.1:2888:3888:participant;0.0.0.0:2181\n" +
		"server.2=10.0.0.2:2888:3888:participant;0.0.0.0:2181\n" +
		"server.3=10.0.0.3:2888:3888:observer;10.0.1.3:2181\n" +
		"version=100000004\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("version %#x\n", cfg.Version)
	fmt.Println(cfg.ClientServers())
	// Output:
	// version 0x100000004
	// [10.0.0.1:2181 10.0.0.2:2181 10.0.1.3:2181]
}
