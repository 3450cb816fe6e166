// Package store keeps reviews, frozen frameworks, answers, deliveries,
// schedules, the job queue and leases in Redis: it implements the storage
// ports of internal/review. It runs unchanged on one server, a Sentinel
// group or a Redis Cluster (Dial reads go-redis's three URL forms into one
// redis.UniversalClient). Its encodings (message refs, delivery states, job
// ids, stored answers) are private to it. It returns assessment errors with
// a code and a reason, never words for people. It may import internal/
// assessment and go-redis, nothing of Slack and nothing of internal/review.
//
// # Key schema
//
// Every key lives under one prefix P (default "assessbot:"). Every Lua
// script and every MULTI touches the keys of one hash slot only, so each
// is atomic on a cluster too; go-redis splits plain pipelines by node.
// Three hash tags group what must change together: a review's own keys
// ({r:<id>}), the review queues ({idx}) and the schedules ({sched}).
// The hash tag, not the prefix, picks a slot: "{idx}" is slot 15755 and
// "{sched}" 7021 whatever the prefix; a review's slot is that of "r:<id>".
//
//	key                              type    slot        written by                          atomic with
//	P{r:<id>}:meta :fw :who          str/set the review  CreateReview step 2                 :status (createReview)
//	P{r:<id>}:status                 str     the review  CreateReview, Close step 1          answer, submit, close checks (scripts)
//	P{r:<id>}:closed                 str     the review  Close step 1                        :status (closeReview)
//	P{r:<id>}:ans:<u> :submitted     hash/set the review SaveAnswer, Submit                  :status, :who (saveAnswer, submit)
//	P{r:<id>}:msg:<u>                hash    the review  SetMessage                          read back by saveAnswer
//	P{r:<id>}:digest                 str     the review  DigestPosting, DigestPosted step 1  read by closeReview (truth of "posted")
//	P{r:<id>}:listed                 str     the review  CreateReview step 3, FanoutDone     - (says the listings are complete)
//	P{r:<id>}:delivered :reminded    hash    the review  fan-out, reminders                  - (one key each)
//	P{r:<id>}:snooze :optout :summary        the review  reminders, digest                   - (one key each)
//	P{r:<id>}:logkey                 str     the review  LogKey, on first use                - (deleted by Delink: log pseudonyms)
//	P{r:<id>}:away                   set     the review  SetAway (intro waits: away)         - (deleted by Delink, which keeps :awaycount)
//	P{r:<id>}:awaycount              str     the review  Delink                              :away (the delink script)
//	P{r:<id>}:segm                   hash    the review  SetMembership, before CreateReview  :meta (CreateReview's script persists it; until then it expires after MembershipGrace; user → segments; deleted by Delink)
//	P{r:<id>}:segcells               str     the review  KeepSegments, after the digest      - (the published cells only)
//	P{r:<id>}:segtrend               str     the review  KeepTeamAnswerers, after the digest - (shown teams' answerers hashed under a key outside Redis; expires after RETENTION, dropped by the series' next digest)
//	P{r:<id>}:act:<aid> :acts        hash/set the review CreateAction, SaveAction           each other (createAction); saveAction over a version (actions.go)
//	P{idx}:reviews:open              zset    {idx}       CreateReview step 1, Close step 2   :fanout:pending (step 1), :digest:pending (Close step 2)
//	P{idx}:fanout:pending            zset    {idx}       CreateReview step 1, FanoutDone     :reviews:open (step 1); score = ms when queued
//	P{idx}:digest:pending            zset    {idx}       Close step 2, DigestPosted step 2   :reviews:open (Close step 2)
//	Previews:all                     zset    any         CreateReview step 3, FanoutDone     - (listing: recent reviews)
//	Pseries:<series>                 zset    any         CreateReview step 3, FanoutDone     - (listing: the trend's previous review)
//	Pframework:<fw>:reviews          zset    any         CreateReview step 3, FanoutDone     - (listing: the audience check)
//	Puser:<u>:reviews                zset    any         CreateReview step 3, FanoutDone     - (listing: App Home)
//	Puser:<u>:actions Pactions       zset    any         CreateAction, SaveAction step 1     - (listings: an owner's, everyone's; readers skip stale entries)
//	P{sched}:schedules               hash    {sched}     SaveSchedule, DeleteSchedule, Advance   :due (MULTI; advance script)
//	P{sched}:due                     zset    {sched}     SaveSchedule, DeleteSchedule, Advance   :schedules, :occurrences
//	P{sched}:occurrences             zset    {sched}     Advance, OccurrenceDone             :due (advance script)
//	Pjobs                            zset    any         AddJobs, ClaimJobs, JobDone, ...    - (one key; claimJobs touches only it)
//	Plock:<name> Penv:<id>           str+TTL any         Claim/Release, FirstDelivery        - (one key each)
//	Ptz                              hash    any         SetTimeZones                        -
//	Pfiles                           hash    any         Delink (asked), CompactFiles (done) - (de-linkings and the rewrites that covered them)
//	P{inbox}:e:<id>                  hash+TTL {inbox}    InboxAdd, InboxDone                 :lease (every inbox step is one script)
//	P{inbox}:lease                   zset    {inbox}     InboxAdd, InboxRenew, InboxDue, InboxDone  :e:<id>; score = lease end, Redis's clock
//
// # Steps, and why each split is crash-safe
//
// A review's own keys hold the truth about it (status, who closed it,
// whether its digest is out); every decision that must happen once is a
// script on its slot. The queues in {idx} are derived from that truth and
// written in separate steps, ordered so that a crash (or a failover)
// between two steps leaves a queue with an entry too many, never one too
// few, and whoever reads a queue checks the truth and repairs it.
//
// CreateReview: (1) if the review does not exist, one MULTI on {idx} puts
// it in reviews:open and fanout:pending; (2) the createReview script writes
// its own keys unless they exist; after it created them, step 1 again;
// (3) the listings, then :listed. A crash after 1 leaves entries naming no
// review: FanoutPending and DueReviews skip them and drop them once their
// fan-out entry is older than 10 minutes, in a script on {idx} that reads
// the age itself, so a creator's repeated step 1 (which refreshes it) is
// either seen or comes after and puts the entries back. Nobody was told of
// such a review (its creator got an error), so nothing is lost. A crash
// after 2 leaves the listings unfinished: FanoutDone, which runs for every
// review before its fan-out entry goes, writes them when :listed is
// missing. A retry with the same id (a scheduled occurrence) repeats every
// step harmlessly.
//
// Close: (1) closeReview on the review's slot flips open to closed, once;
// (2) one MULTI on {idx}: ZADD NX digest:pending, ZREM reviews:open. A
// crash after 1 leaves a closed review in reviews:open: DueReviews returns
// every review there whose status is not open (one pipelined GET per open
// review, each tick), the sweep closes it again, and that Close, whose
// script returns 0, applies step 2. Status never goes back to open, so a
// repair can never race a closer. When the digest is already posted, a
// later Close only removes the review from reviews:open.
//
// DigestPosted: (1) SET :digest to the message ref; (2) ZREM
// digest:pending. A crash after 1 leaves the entry: the digest worker reads
// DigestState first, finds it Sent and repeats step 2. One digest per
// review rests on :digest and the digest lease, never on the queue.
//
// Schedules are all in {sched}: SaveSchedule and DeleteSchedule are one
// MULTI, Advance one script that also updates the stored copy's next run
// when the copy is still the one it read (a schedule deleted meanwhile is
// not brought back).
//
// # Durability
//
// With WithWait(n, timeout), SaveAnswer and Submit send WAIT n timeout on
// the connection that ran their script (on a cluster, the master of the
// review's slot), in the same round trip, and refuse the click with
// EUNAVAILABLE when fewer replicas acknowledged it: an acknowledged answer
// is then on n+1 servers and survives the loss of its master. The refused
// write stays on the master (WAIT cannot undo it); the person is told it
// was not saved and clicks again, which writes the same value.
//
// # Earlier layout
//
// Before this schema the queues were Previews:open, Pfanout:pending (a
// set), Pdigest:pending, Pschedules, Pschedules:due and Poccurrences,
// without hash tags. Nothing was deployed with it, so nothing migrates
// them: a store on the new layout does not see reviews or schedules queued
// under the old keys.
package store
