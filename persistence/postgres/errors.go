package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/socialmediamanager/smm/domain"
)

// SQLSTATE codes the service reacts to. Errors are told apart by these codes,
// never by their message text, which changes with server versions and locales.
const (
	UniqueViolation       = "23505"
	ForeignKeyViolation   = "23503"
	CheckViolation        = "23514"
	NotNullViolation      = "23502"
	ExclusionViolation    = "23P01"
	SerializationFailure  = "40001"
	DeadlockDetected      = "40P01"
	InsufficientPrivilege = "42501"
	LockNotAvailable      = "55P03"
	QueryCanceled         = "57014"
	AdminShutdown         = "57P01"
	CrashShutdown         = "57P02"
	CannotConnectNow      = "57P03"
)

// Classify turns a database error into a domain error with a stable code,
// keeping the original as the cause. Errors that already carry a domain code
// pass through unchanged.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return &domain.Error{Code: domain.CodeNotFound, Message: "not found", Err: err}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return classifySQLState(pgErr.Code, err)
	}
	if isConnectivity(err) {
		return domain.Unavailable("database", err)
	}
	return domain.Internal(err)
}

func classifySQLState(code string, err error) error {
	switch {
	case code == UniqueViolation || code == ExclusionViolation:
		return &domain.Error{Code: domain.CodeConflict, Message: "conflicts with an existing resource", Err: err}
	case code == ForeignKeyViolation:
		return &domain.Error{Code: domain.CodeInvalid, Message: "refers to a resource that does not exist", Err: err}
	case code == CheckViolation || code == NotNullViolation || strings.HasPrefix(code, "22"):
		return &domain.Error{Code: domain.CodeInvalid, Message: "value not accepted", Err: err}
	case code == SerializationFailure || code == DeadlockDetected || code == LockNotAvailable:
		return &domain.Error{Code: domain.CodeConflict, Message: "concurrent change, retry the request", Err: err}
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"),
		code == AdminShutdown, code == CrashShutdown, code == CannotConnectNow, code == QueryCanceled:
		return domain.Unavailable("database", err)
	}
	return domain.Internal(err)
}

// isConnectivity reports failures to reach the server at all: refused or
// broken connections, DNS failures and timeouts.
func isConnectivity(err error) bool {
	var connErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connErr), errors.As(err, &netErr):
		return true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case pgconn.SafeToRetry(err), pgconn.Timeout(err):
		return true
	}
	return false
}
