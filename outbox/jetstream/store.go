package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/postie/postie/outbox"
)

// Store is the outbox on a NATS JetStream cluster. Every method is safe
// for concurrent use, and any number of Stores in any number of
// processes on any number of hosts may share one cluster's outbox.
type Store struct {
	o     Options
	nc    *nats.Conn
	own   bool // nc is ours to close
	js    jetstream.JetStream
	clock outbox.Clock

	work       jetstream.Stream
	entries    jetstream.KeyValue
	keys       jetstream.KeyValue
	quarantine jetstream.KeyValue
	workers    jetstream.KeyValue
	limits     jetstream.KeyValue
	bodies     jetstream.ObjectStore

	inlineMax int64

	mu        sync.Mutex
	consumers map[string]jetstream.Consumer // by campaign token
	held      map[outbox.ID]*held           // tickets this process holds (delivered, not yet settled)
	parked    parkedQueue                   // tickets this process put back with a delay
	rr        int                           // where the next Claim starts among campaigns

	stats    workerStats
	beatOnce sync.Once
	beating  atomic.Bool
	stop     chan struct{}
	bg       sync.WaitGroup
}

var _ outbox.Store = (*Store)(nil)

// Names of the outbox's parts on the cluster, from the prefix.
func (o *Options) workStream() string          { return o.Prefix + "-work" }
func (o *Options) workSubject(t string) string { return o.Prefix + ".work." + t }
func (o *Options) bucket(name string) string   { return o.Prefix + "-" + name }

// Open connects to the cluster (or uses o.Conn) and opens the outbox in
// it, creating its streams and buckets when they do not exist yet.
func Open(ctx context.Context, o Options) (*Store, error) {
	if err := o.fill(); err != nil {
		return nil, err
	}
	s := &Store{o: o, clock: o.Clock, consumers: map[string]jetstream.Consumer{}, held: map[outbox.ID]*held{}, stop: make(chan struct{})}
	if o.Conn != nil {
		s.nc = o.Conn
	} else {
		if o.URLs == "" {
			return nil, errors.New("nats: no server URL")
		}
		nc, err := nats.Connect(o.URLs, o.natsOptions()...)
		if err != nil {
			return nil, fmt.Errorf("connect to %s: %s", redactURLs(o.URLs), redactErr(err, &o))
		}
		s.nc, s.own = nc, true
	}
	js, err := jetstream.New(s.nc)
	if err != nil {
		s.closeConn()
		return nil, err
	}
	s.js = js
	if err := s.setup(ctx); err != nil {
		where := s.nc.ConnectedUrlRedacted() // gone once closed
		if where == "" {
			where = redactURLs(o.URLs)
		}
		s.closeConn()
		return nil, fmt.Errorf("open the outbox on %s: %w", where, err)
	}
	s.inlineMax = s.nc.MaxPayload() - 64<<10
	if o.InlineMax > 0 && o.InlineMax < s.inlineMax {
		s.inlineMax = o.InlineMax
	}
	s.stats.init(s.clock.Now())
	return s, nil
}

// redactErr keeps the password and token out of a connection error.
func redactErr(err error, o *Options) string {
	msg := err.Error()
	for _, secret := range []string{o.Password, o.Token} {
		if len(secret) >= 4 {
			msg = strings.ReplaceAll(msg, secret, "****")
		}
	}
	return msg
}

func (s *Store) replicas() int {
	if s.o.Replicas > 0 {
		return s.o.Replicas
	}
	if s.nc.ConnectedClusterName() != "" {
		return 3
	}
	return 1
}

// setup finds or creates the work stream, the buckets and the object
// store. An existing part is used as it is (an operator may have tuned
// it); only a missing one is created.
func (s *Store) setup(ctx context.Context) error {
	r := s.replicas()
	var err error
	s.work, err = findOrCreate(ctx,
		func(ctx context.Context) (jetstream.Stream, error) { return s.js.Stream(ctx, s.o.workStream()) },
		func(ctx context.Context) (jetstream.Stream, error) {
			return s.js.CreateStream(ctx, jetstream.StreamConfig{
				Name:        s.o.workStream(),
				Description: "postie outbox: one message (ticket) per entry waiting for a worker",
				Subjects:    []string{s.o.workSubject(">")},
				Retention:   jetstream.WorkQueuePolicy,
				Storage:     jetstream.FileStorage,
				Replicas:    r,
				Duplicates:  s.o.DuplicateWindow,
				AllowDirect: true,
			})
		}, jetstream.ErrStreamNotFound, jetstream.ErrStreamNameAlreadyInUse)
	if err != nil {
		return fmt.Errorf("work stream %s: %w", s.o.workStream(), err)
	}
	kv := func(name, desc string, ttl time.Duration) (jetstream.KeyValue, error) {
		b := s.o.bucket(name)
		k, err := findOrCreate(ctx,
			func(ctx context.Context) (jetstream.KeyValue, error) { return s.js.KeyValue(ctx, b) },
			func(ctx context.Context) (jetstream.KeyValue, error) {
				return s.js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: b, Description: desc, History: 1, TTL: ttl, Storage: jetstream.FileStorage, Replicas: r})
			}, jetstream.ErrBucketNotFound, jetstream.ErrBucketExists)
		if err != nil {
			return nil, fmt.Errorf("bucket %s: %w", b, err)
		}
		return k, nil
	}
	if s.entries, err = kv("entries", "postie outbox: entries and per-recipient state", 0); err != nil {
		return err
	}
	if s.keys, err = kv("keys", "postie outbox: idempotency keys", 0); err != nil {
		return err
	}
	if s.quarantine, err = kv("quarantine", "postie outbox: entries set aside as damaged", 0); err != nil {
		return err
	}
	if s.workers, err = kv("workers", "postie outbox: live workers and their counts", workerTTL); err != nil {
		return err
	}
	if s.limits, err = kv("limits", "postie outbox: fleet-wide rate and connection limits", 24*time.Hour); err != nil {
		return err
	}
	b := s.o.bucket("bodies")
	s.bodies, err = findOrCreate(ctx,
		func(ctx context.Context) (jetstream.ObjectStore, error) { return s.js.ObjectStore(ctx, b) },
		func(ctx context.Context) (jetstream.ObjectStore, error) {
			return s.js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: b, Description: "postie outbox: messages too large for a ticket", Storage: jetstream.FileStorage, Replicas: r})
		}, jetstream.ErrBucketNotFound, jetstream.ErrBucketExists)
	if err != nil {
		return fmt.Errorf("object store %s: %w", b, err)
	}
	return nil
}

// setupAttempts bounds findOrCreate's tries; ctx usually ends it first.
const setupAttempts = 12

// findOrCreate returns what find finds, creating it when it is missing.
// Processes that create the same stream at once (a fleet of workers
// started together) race in the cluster's meta layer, and the requests
// that lose may get no answer at all (nats-server#3677): so each try is
// bounded by requestTimeout, and after a create that timed out or found
// the thing already made, find is asked again, with a growing pause.
func findOrCreate[T any](ctx context.Context, find, create func(context.Context) (T, error), notFound, exists error) (T, error) {
	var zero T
	var err error
	pause := 100 * time.Millisecond
	for range setupAttempts {
		var v T
		tctx, cancel := context.WithTimeout(ctx, requestTimeout)
		v, err = find(tctx)
		cancel()
		if errors.Is(err, notFound) {
			tctx, cancel = context.WithTimeout(ctx, requestTimeout)
			v, err = create(tctx)
			cancel()
		}
		// Look again after a pause when another process made it a moment
		// ago (exists), or when there was no answer yet (transient).
		if err == nil || !errors.Is(err, exists) && !isTransient(err) || ctx.Err() != nil {
			return v, err
		}
		select {
		case <-time.After(pause + time.Duration(rand.Int64N(int64(pause)))):
		case <-ctx.Done():
			return zero, err
		}
		pause = min(2*pause, 2*time.Second)
	}
	return zero, err
}

// jsErrClusterNotAvailable: "JetStream system temporarily unavailable"
// (nats-server's JSClusterNotAvailErr; nats.go names no constant for it).
const jsErrClusterNotAvailable jetstream.ErrorCode = 10008

// isTransient: a request got no answer in time (the cluster is busy, or
// dropped it), or the cluster said it has no meta leader yet (starting,
// or electing one: 503, JetStream error 10008) — as opposed to an answer
// that says no. A server without JetStream (no responders) is final: it
// will not change while we wait.
func isTransient(err error) bool {
	var ae *jetstream.APIError
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		errors.As(err, &ae) && (ae.ErrorCode == jsErrClusterNotAvailable || ae.Code == 503)
}

// Close stops this process's heartbeat, hands back the tickets it still
// holds (their leases stay in the entries, so another worker takes them
// when the leases end) and closes the connection if Open made it.
func (s *Store) Close() error {
	select {
	case <-s.stop:
		return nil
	default:
	}
	close(s.stop)
	s.bg.Wait()
	s.mu.Lock()
	s.held = map[outbox.ID]*held{}
	s.mu.Unlock()
	if s.workers != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s.workers.Delete(ctx, s.stats.key)
		cancel()
	}
	s.closeConn()
	return nil
}

func (s *Store) closeConn() {
	if s.own && s.nc != nil {
		s.nc.Drain()
		s.nc.Close()
	}
}

// Conn is the store's NATS connection.
func (s *Store) Conn() *nats.Conn { return s.nc }

// consumer returns the pull consumer of a campaign's tickets, creating
// it (or updating its AckWait) the first time this process asks.
func (s *Store) consumer(ctx context.Context, token string) (jetstream.Consumer, error) {
	s.mu.Lock()
	c := s.consumers[token]
	s.mu.Unlock()
	if c != nil {
		return c, nil
	}
	c, err := s.work.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       s.o.Prefix + "-w-" + token,
		Description:   "postie outbox workers",
		FilterSubject: s.o.workSubject(token),
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       s.o.AckWait,
		MaxDeliver:    -1,
		// Deferred tickets wait, delayed, among the unacknowledged ones:
		// no cap, or a long queue of deferrals would stop delivery.
		MaxAckPending: -1,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("consumer for %s: %w", s.o.workSubject(token), err)
	}
	s.mu.Lock()
	s.consumers[token] = c
	s.mu.Unlock()
	return c, nil
}

// dropConsumer forgets a campaign's consumer after a fetch failed (its
// leader lost, no responders, the consumer deleted): the next Claim
// looks it up again, and creates it when it is gone.
func (s *Store) dropConsumer(token string) {
	s.mu.Lock()
	delete(s.consumers, token)
	s.mu.Unlock()
}

// Reading and writing entries.

var (
	errNeverExisted = errors.New("no such entry")
	errDeleted      = errors.New("entry deleted")
)

const kvOpHeader = "KV-Operation"

// load reads the entry at key: errNeverExisted when the key was never
// written, errDeleted when the entry was dropped (or quarantined).
func (s *Store) load(ctx context.Context, key string) (*state, error) {
	m, err := s.leaderGet(ctx, "KV_"+s.o.bucket("entries"), msgGetRequest{LastBySubject: s.entrySubject(key)})
	if err != nil {
		return nil, err
	}
	return s.fromRaw(key, m.Seq, m.Header, m.Data)
}

func (s *Store) fromRaw(key string, seq uint64, h nats.Header, data []byte) (*state, error) {
	if op := h.Get(kvOpHeader); op == "DEL" || op == "PURGE" {
		return nil, errDeleted
	}
	st, err := decodeState(key, seq, data)
	if err != nil {
		return nil, &corrupt{key: key, err: err}
	}
	return st, nil
}

// corrupt is a record that does not decode.
type corrupt struct {
	key string
	err error
}

func (c *corrupt) Error() string { return c.err.Error() }

func (s *Store) entrySubject(key string) string { return "$KV." + s.o.bucket("entries") + "." + key }

// loadID finds an entry by ID alone (any campaign): the last message
// of "$KV.<bucket>.*.<id>".
func (s *Store) loadID(ctx context.Context, id outbox.ID) (*state, error) {
	if !id.Valid() {
		return nil, errNeverExisted
	}
	m, err := s.leaderGet(ctx, "KV_"+s.o.bucket("entries"), msgGetRequest{LastBySubject: s.entrySubject("*." + string(id))})
	if err != nil {
		return nil, err
	}
	return s.fromRaw(m.Subject[len(s.entrySubject("")):], m.Seq, m.Header, m.Data)
}

// requestTimeout bounds every request this store makes to the cluster,
// whatever the caller's context: a request whose answer is lost (the node
// it went through stopped, or the stream's leader did and no new one is
// elected yet) would otherwise wait forever, and the runner makes some
// of its calls (Record, Renew) with a context that is never cancelled.
// The same as the client's own bound on JetStream API calls; a failed
// request is an error the worker retries on its next pass.
const requestTimeout = 5 * time.Second

// request sends one request to the cluster and waits for the answer, at
// most requestTimeout (or until ctx ends).
func (s *Store) request(ctx context.Context, subject string, data []byte) (*nats.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	return s.nc.RequestWithContext(ctx, subject, data)
}

type msgGetRequest struct {
	Seq           uint64 `json:"seq,omitempty"`
	LastBySubject string `json:"last_by_subj,omitempty"`
}

type rawMsg struct {
	Subject string
	Seq     uint64
	Header  nats.Header
	Data    []byte
}

// leaderGet reads one message of a stream from the stream's leader. The
// client's direct gets may be answered by any replica, one that has not
// yet stored the latest write; decisions here need the latest, so every
// read of a record, a key or a ticket goes to the leader. errNeverExisted
// when there is no such message.
func (s *Store) leaderGet(ctx context.Context, stream string, req msgGetRequest) (*rawMsg, error) {
	b, _ := json.Marshal(req)
	resp, err := s.request(ctx, "$JS.API.STREAM.MSG.GET."+stream, b)
	if err != nil {
		return nil, err
	}
	var r struct {
		Message *struct {
			Subject string `json:"subject"`
			Seq     uint64 `json:"seq"`
			Hdrs    []byte `json:"hdrs"`
			Data    []byte `json:"data"`
		} `json:"message"`
		Error *jetstream.APIError `json:"error"`
	}
	if err := json.Unmarshal(resp.Data, &r); err != nil {
		return nil, err
	}
	if r.Error != nil {
		if r.Error.ErrorCode == jetstream.JSErrCodeMessageNotFound {
			return nil, errNeverExisted
		}
		return nil, r.Error
	}
	if r.Message == nil {
		return nil, errNeverExisted
	}
	m := &rawMsg{Subject: r.Message.Subject, Seq: r.Message.Seq, Data: r.Message.Data}
	if len(r.Message.Hdrs) > 0 {
		if m.Header, err = nats.DecodeHeadersMsg(r.Message.Hdrs); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// getKey reads the keys bucket's entry for an idempotency key (from the
// leader): its value and revision, or errNeverExisted (also when deleted).
func (s *Store) getKey(ctx context.Context, kk string) (string, uint64, error) {
	m, err := s.leaderGet(ctx, "KV_"+s.o.bucket("keys"), msgGetRequest{LastBySubject: "$KV." + s.o.bucket("keys") + "." + kk})
	if err != nil {
		return "", 0, err
	}
	if op := m.Header.Get(kvOpHeader); op == "DEL" || op == "PURGE" {
		return "", 0, errNeverExisted
	}
	return string(m.Data), m.Seq, nil
}

// save writes st if the entry is still at st.rev (compare and set) and
// moves st to the new revision. errConflict: someone wrote it meanwhile.
func (s *Store) save(ctx context.Context, st *state) error {
	b, err := st.encode()
	if err != nil {
		return err
	}
	rev, err := s.entries.Update(ctx, st.key, b, st.rev)
	if isConflict(err) {
		return errConflict
	}
	if err != nil {
		return err
	}
	st.rev = rev
	return nil
}

var errConflict = errors.New("the entry changed meanwhile")

// isConflict: a compare-and-set lost (the key exists, or is at another
// revision). Replicated and single-server streams report it with
// different codes; the client maps both to these.
func isConflict(err error) bool {
	return errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch)
}

// maxTries bounds compare-and-set loops: a conflict means another worker
// or command wrote the entry between our read and our write.
const maxTries = 16

// update applies fn to the entry at key (starting from st when the
// caller has a recent copy) and saves it, reading again and repeating
// when another writer got there first. fn returns errSkip to write
// nothing.
func (s *Store) update(ctx context.Context, key string, st *state, fn func(st *state) error) (*state, error) {
	for range maxTries {
		if st == nil {
			var err error
			if st, err = s.load(ctx, key); err != nil {
				return nil, err
			}
		}
		cur := st.clone()
		if err := fn(cur); err != nil {
			if errors.Is(err, errSkip) {
				return cur, nil
			}
			return nil, err
		}
		err := s.save(ctx, cur)
		if err == nil {
			return cur, nil
		}
		if !errors.Is(err, errConflict) {
			return nil, err
		}
		st = nil
	}
	return nil, fmt.Errorf("entry %s: %w %d times", key, errConflict, maxTries)
}

var errSkip = errors.New("nothing to write")
