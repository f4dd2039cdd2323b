package scanner

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"

	"github.com/hoofprint/hoofprint/inventory"
)

// coverage collects the gaps of a scan from every goroutine.
type coverage struct {
	mu     sync.Mutex
	gaps   []inventory.Gap
	logger *slog.Logger
	c      *counters
}

// add records that operation on resource could not be read because of err.
// Resource must never contain an object key (use the key hash). The log
// record carries the same fields as the gap and nothing else, so no key or
// credential reaches the log.
func (cv *coverage) add(accountID, region, service, operation, resource string, err error) {
	cv.addVia(accountID, "", region, service, operation, resource, err)
}

// addVia is add for a call made with another account's credentials (via)
// on accountID's resource; the message says so too, for readers of the
// log and of reports that show only the message.
func (cv *coverage) addVia(accountID, via, region, service, operation, resource string, err error) {
	g := inventory.Gap{
		AccountID:    accountID,
		Region:       region,
		Service:      service,
		Operation:    operation,
		Resource:     resource,
		Code:         gapCode(err),
		Message:      safeMessage(err),
		ViaAccountID: via,
	}
	if via != "" {
		g.Message = "called as the object's owner, account " + via + ": " + g.Message
	}
	cv.c.errors.Add(1)
	cv.mu.Lock()
	cv.gaps = append(cv.gaps, g)
	cv.mu.Unlock()
	level := slog.LevelDebug
	if resource == "" {
		// Account-wide gaps (a role that cannot be assumed, a service that
		// cannot be listed) hide much more than one bucket: say so louder.
		level = slog.LevelWarn
	}
	cv.logger.Log(context.Background(), level, "not evaluated",
		slog.String("account", accountID), slog.String("service", service),
		slog.String("operation", operation), slog.String("resource", resource), slog.String("via", via),
		slog.String("code", g.Code), slog.String("message", g.Message))
}

// addGap records a gap built by the caller (no AWS error to classify).
func (cv *coverage) addGap(g inventory.Gap) {
	cv.c.errors.Add(1)
	cv.mu.Lock()
	cv.gaps = append(cv.gaps, g)
	cv.mu.Unlock()
	cv.logger.Warn("not evaluated", slog.String("account", g.AccountID), slog.String("service", g.Service),
		slog.String("operation", g.Operation), slog.String("code", g.Code), slog.String("message", g.Message))
}

// addStop records that an account was cut short or never reached because
// ctx ended: code "timeout" for a deadline, "canceled" for an interruption,
// and the cause (e.g. "terminated signal received") as the message.
func (cv *coverage) addStop(accountID string, ctx context.Context) {
	err := ctx.Err()
	if err == nil {
		return
	}
	cv.c.errors.Add(1)
	g := inventory.Gap{AccountID: accountID, Service: "hoofprint", Operation: "ScanAccount", Code: gapCode(err), Message: context.Cause(ctx).Error()}
	cv.mu.Lock()
	cv.gaps = append(cv.gaps, g)
	cv.mu.Unlock()
	cv.logger.Warn("account not finished", slog.String("account", accountID), slog.String("code", g.Code), slog.String("cause", g.Message))
}

// sorted returns the gaps in a stable order, so two scans of the same
// organization give the same file.
func (cv *coverage) sorted() []inventory.Gap {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	return SortGaps(slices.Clone(cv.gaps))
}

// SortGaps sorts gaps in place in the order a scan lists them (account,
// service, resource, operation, code) and returns them, [] for none. A
// merged sharded run sorts its shards' gaps with it.
func SortGaps(gaps []inventory.Gap) []inventory.Gap {
	slices.SortStableFunc(gaps, func(a, b inventory.Gap) int {
		return cmp.Or(
			cmp.Compare(a.AccountID, b.AccountID),
			cmp.Compare(a.Service, b.Service),
			cmp.Compare(a.Resource, b.Resource),
			cmp.Compare(a.Operation, b.Operation),
			cmp.Compare(a.Code, b.Code),
		)
	})
	if gaps == nil {
		gaps = []inventory.Gap{}
	}
	return gaps
}
