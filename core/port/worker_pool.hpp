// anyserial — the small shared worker pool for genuinely blocking backend calls (open,
// drain_blocking). Started on first use; the only threads the core starts besides the sync
// facade's loop thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <utility>

namespace anyserial::detail {

boost::asio::thread_pool &worker_pool();

// Counts the blocking jobs started for one execution context. Its shutdown (the first step
// of ~io_context) waits for them, so a worker never releases an executor, strand or handler
// of an io_context that is already being destroyed.
class BlockingJobs : public boost::asio::execution_context::service {
  public:
    static boost::asio::execution_context::id id;
    explicit BlockingJobs(boost::asio::execution_context &ctx) : service(ctx) {}
    void begin();
    void end() noexcept;

  private:
    void shutdown() override;
    std::mutex mutex_;
    std::condition_variable idle_;
    std::size_t running_ = 0;
};

// Runs job() on the worker pool; job returns the completion, which is posted to `ex` and
// must own everything it needs. The job's captures are released on the worker before the
// job counts as done, so none outlives the io_context. A job that never returns blocks the
// io_context's destruction.
template <class Job>
void run_blocking(boost::asio::any_io_executor ex, Job job) {
    auto &jobs = boost::asio::use_service<BlockingJobs>(
        boost::asio::query(ex, boost::asio::execution::context));
    jobs.begin();
    // Members go in reverse order: the job and the executor before `done` says so, whether
    // the job ran or the pool dropped it unrun.
    struct Task {
        struct Done {
            BlockingJobs *jobs;
            explicit Done(BlockingJobs &j) : jobs(&j) {}
            Done(Done &&o) noexcept : jobs(std::exchange(o.jobs, nullptr)) {}
            ~Done() {
                if (jobs) jobs->end();
            }
        } done;
        boost::asio::any_io_executor ex;
        Job job;
        void operator()() {
            auto owned = std::move(job);
            boost::asio::post(ex, owned());
            ex = boost::asio::any_io_executor();
        }
    };
    boost::asio::post(worker_pool(),
                      Task{typename Task::Done(jobs), std::move(ex), std::move(job)});
}

}  // namespace anyserial::detail
