package zk

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// JoinPath returns the path of the child named child under parent, as
// Curator's ZKPaths.makePath does for one child: JoinPath("/a", "b") is
// "/a/b" and JoinPath("/", "b") is "/b". A trailing slash on parent is not
// doubled. It does not validate: check the result with [ValidatePath] if
// parent or child come from outside.
func JoinPath(parent, child string) string {
	if strings.HasSuffix(parent, "/") {
		return parent + child
	}
	return parent + "/" + child
}

// SplitPath splits an absolute path into its parent path and the name of its
// last node, as Curator's ZKPaths.getPathAndNode does: "/a/b" gives ("/a",
// "b"), "/a" gives ("/", "a") and "/" gives ("/", ""). JoinPath(SplitPath(p))
// is p for every valid path other than "/".
func SplitPath(path string) (parent, name string) {
	i := strings.LastIndexByte(path, '/')
	if i <= 0 {
		return "/", path[i+1:]
	}
	return path[:i], path[i+1:]
}

// ParentPath returns the parent of an absolute path: "/a" for "/a/b", "/"
// for a top-level node and for "/" itself.
func ParentPath(path string) string {
	parent, _ := SplitPath(path)
	return parent
}

// ValidatePath checks path against ZooKeeper's rules (PathUtils.validatePath):
// absolute, no trailing slash (except the root), no empty, "." or ".."
// segments, no null or control characters. For a sequential create the
// path is checked as if the server's number were already appended, so a
// trailing slash is allowed. The error wraps ErrInvalidPath.
func ValidatePath(path string, sequential bool) error {
	bad := func(reason string) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidPath, path, reason)
	}
	if sequential && path != "" {
		return validate(path+"1", bad)
	}
	return validate(path, bad)
}

func validate(path string, bad func(string) error) error {
	if path == "" {
		return bad("empty")
	}
	if path[0] != '/' {
		return bad("must start with /")
	}
	if len(path) == 1 {
		return nil
	}
	if path[len(path)-1] == '/' {
		return bad("must not end with /")
	}
	if !utf8.ValidString(path) {
		return bad("not valid UTF-8")
	}
	last := '/'
	for i, r := range path {
		if i == 0 {
			continue
		}
		switch {
		case r == 0:
			return bad(fmt.Sprintf("null character at %d", i))
		case r == '/' && last == '/':
			return bad(fmt.Sprintf("empty node name at %d", i))
		case r == '.' && last == '.':
			if path[i-2] == '/' && (i+1 == len(path) || path[i+1] == '/') {
				return bad(fmt.Sprintf("relative path at %d", i))
			}
		case r == '.':
			if path[i-1] == '/' && (i+1 == len(path) || path[i+1] == '/') {
				return bad(fmt.Sprintf("relative path at %d", i))
			}
		case r > '\u0000' && r <= '\u001f', r >= '\u007f' && r <= '\u009F',
			r >= 0xd800 && r <= 0xf8ff, r >= 0xfff0 && r <= 0xffff:
			return bad(fmt.Sprintf("invalid character %U at %d", r, i))
		}
		last = r
	}
	return nil
}
