package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/zkcurator/zkcurator/zk"
)

func newBufWriter(w io.Writer) *bufio.Writer { return bufio.NewWriterSize(w, 64<<10) }

func (a *app) getCommand() *cobra.Command {
	var format string
	var withStat bool
	cmd := &cobra.Command{
		Use:               "get [--format text|hex|json|base64] [--stat] PATH",
		Short:             "Print a node's data",
		Args:              exactArgs(1),
		ValidArgsFunction: a.completePaths,
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "text, hex (hex dump), json (pretty-printed) or base64")
	cmd.Flags().BoolVar(&withStat, "stat", false, "also print the Stat")
	cmd.RunE = wrapRun(func(cmd *cobra.Command, args []string) error {
		p, err := cleanPath(args[0])
		if err != nil {
			return err
		}
		switch format {
		case "text", "hex", "json", "base64":
		default:
			return usageErr{fmt.Errorf("--format %q: want text, hex, json or base64", format)}
		}
		ctx, c, cancel, err := a.connect(cmd)
		defer cancel()
		if err != nil {
			return err
		}
		data, st, err := c.Get(ctx, p)
		if err != nil {
			return err
		}
		if a.g.json {
			v := struct {
				Path string          `json:"path"`
				Data dataJSON        `json:"data"`
				JSON json.RawMessage `json:"json,omitempty"`
				Stat *statJSON       `json:"stat"`
			}{Path: p, Data: toDataJSON(data), Stat: toStatJSON(st)}
			if json.Valid(data) {
				v.JSON = data
			}
			return a.emit(v, nil)
		}
		var out []byte
		switch format {
		case "text":
			out = data
		case "hex":
			out = []byte(hex.Dump(data))
		case "base64":
			out = []byte(base64.StdEncoding.EncodeToString(data))
		case "json":
			var buf bytes.Buffer
			if err := json.Indent(&buf, data, "", "  "); err != nil {
				return fmt.Errorf("get %s: data is not JSON: %w", p, err)
			}
			out = buf.Bytes()
		}
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = append(out, '\n')
		}
		if _, err := a.out.Write(out); err != nil {
			return err
		}
		if withStat {
			printStat(a.out, st)
		}
		return nil
	})
	return cmd
}

// dataArg reads the data of set/create: the argument, or a file with
// --file (- for stdin).
func (a *app) dataArg(args []string, i int, file string) ([]byte, error) {
	if file != "" {
		if len(args) > i {
			return nil, usageErr{errors.New("give the data either as an argument or with --file, not both")}
		}
		if file == "-" {
			return io.ReadAll(a.in)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, usageErr{err}
		}
		return b, nil
	}
	if len(args) > i {
		return []byte(args[i]), nil
	}
	return []byte{}, nil
}

func (a *app) setCommand() *cobra.Command {
	var version int32
	var file string
	cmd := &cobra.Command{
		Use:               "set [--version V] PATH DATA | set --file F PATH",
		Short:             "Set a node's data (optionally only at version V)",
		Args:              rangeArgs(1, 2),
		ValidArgsFunction: a.completePaths,
	}
	cmd.Flags().Int32VarP(&version, "version", "v", zk.AnyVersion, "expected version (-1: any)")
	cmd.Flags().StringVar(&file, "file", "", "read the data from a file (- for stdin)")
	cmd.RunE = wrapRun(func(cmd *cobra.Command, args []string) error {
		p, err := cleanPath(args[0])
		if err != nil {
			return err
		}
		data, err := a.dataArg(args, 1, file)
		if err != nil {
			return err
		}
		ctx, c, cancel, err := a.connect(cmd)
		defer cancel()
		if err != nil {
			return err
		}
		st, err := c.Set(ctx, p, data, version)
		if err != nil {
			return err
		}
		return a.emit(struct {
			Path string    `json:"path"`
			Stat *statJSON `json:"stat"`
		}{p, toStatJSON(st)}, func(w io.Writer) { fmt.Fprintf(w, "%s version %d\n", p, st.Version) })
	})
	return cmd
}

// createModes maps --mode names to create modes.
var createModes = map[string]zk.CreateMode{
	"persistent":            zk.ModePersistent,
	"ephemeral":             zk.ModeEphemeral,
	"sequential":            zk.ModePersistentSequential,
	"persistent-sequential": zk.ModePersistentSequential,
	"ephemeral-sequential":  zk.ModeEphemeralSequential,
	"container":             zk.ModeContainer,
	"ttl":                   zk.ModePersistentTTL,
	"sequential-ttl":        zk.ModePersistentSequentialTTL,
}

func (a *app) createCommand() *cobra.Command {
	var mode, file string
	var ttl time.Duration
	var parents bool
	cmd := &cobra.Command{
		Use:   "create [--mode M] [--ttl D] [-p] PATH [DATA]",
		Short: "Create a node",
		Long: `Create a node. Modes: persistent (default), ephemeral, sequential
(= persistent-sequential), ephemeral-sequential, container, ttl,
sequential-ttl. --ttl alone implies --mode ttl. An ephemeral node dies with
zkc's session, i.e. when this command exits.`,
		Args:              rangeArgs(1, 2),
		ValidArgsFunction: a.completePaths,
	}
	cmd.Flags().StringVarP(&mode, "mode", "m", "persistent", "node mode (see above)")
	cmd.Flags().DurationVar(&ttl, "ttl", 0, "time to live of a ttl node without children (server needs extendedTypesEnabled)")
	cmd.Flags().BoolVarP(&parents, "parents", "p", false, "create missing parents (persistent)")
	cmd.Flags().StringVar(&file, "file", "", "read the data from a file (- for stdin)")
	cmd.RunE = wrapRun(func(cmd *cobra.Command, args []string) error {
		m, ok := createModes[strings.ToLower(mode)]
		if !ok {
			return usageErr{fmt.Errorf("--mode %q: want persistent, ephemeral, sequential, ephemeral-sequential, container, ttl or sequential-ttl", mode)}
		}
		if ttl != 0 && !cmd.Flags().Changed("mode") {
			m = zk.ModePersistentTTL
		}
		if m.IsTTL() != (ttl > 0) {
			return usageErr{errors.New("--ttl (positive) goes with --mode ttl or sequential-ttl, and they need it")}
		}
		p, err := cleanPath(args[0])
		if err != nil {
			return err
		}
		data, err := a.dataArg(args, 1, file)
		if err != nil {
			return err
		}
		ctx, c, cancel, err := a.connect(cmd)
		defer cancel()
		if err != nil {
			return err
		}
		created, st, err := c.CreateWith(ctx, p, data, zk.CreateOptions{Mode: m, TTL: ttl, CreateParents: parents})
		if err != nil {
			return err
		}
		return a.emit(struct {
			Path string    `json:"path"`
			Stat *statJSON `json:"stat,omitempty"`
		}{created, toStatJSON(st)}, func(w io.Writer) { fmt.Fprintln(w, created) })
	})
	return cmd
}

func (a *app) deleteCommand() *cobra.Command {
	var version int32
	var recursive bool
	cmd := &cobra.Command{
		Use:               "delete [-R] [--version V] PATH",
		Short:             "Delete a node; -R deletes its subtree too (batched in multis)",
		Args:              exactArgs(1),
		ValidArgsFunction: a.completePaths,
	}
	cmd.Flags().Int32VarP(&version, "version", "v", zk.AnyVersion, "expected version (-1: any; not with -R)")
	cmd.Flags().BoolVarP(&recursive, "recursive", "R", false, "delete everything below PATH as well")
	cmd.RunE = wrapRun(func(cmd *cobra.Command, args []string) error {
		p, err := cleanPath(args[0])
		if err != nil {
			return err
		}
		if recursive && version != zk.AnyVersion {
			return usageErr{errors.New("--version cannot be used with -R")}
		}
		ctx, c, cancel, err := a.connect(cmd)
		defer cancel()
		if err != nil {
			return err
		}
		if recursive {
			exists, _, xerr := c.Exists(ctx, p)
			if xerr != nil {
				return xerr
			}
			if !exists {
				return &zk.OpError{Op: "delete", Path: p, Err: zk.ErrNoNode}
			}
			err = c.DeleteAll(ctx, p)
		} else {
			err = c.Delete(ctx, p, version)
		}
		if err != nil {
			return err
		}
		return a.emit(struct {
			Deleted string `json:"deleted"`
		}{p}, func(io.Writer) {})
	})
	return cmd
}
