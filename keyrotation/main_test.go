package keyrotation_test

import (
	"os"
	"testing"

	"github.com/socialmediamanager/smm/persistence/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
