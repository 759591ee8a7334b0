// Dropping root.
#include "util/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/strings.hpp"

namespace blackout {

Expected<std::string> drop_privileges(const std::string& user) {
  if (geteuid() != 0) return std::string("not root: running as uid ") + std::to_string(geteuid());
  if (user == "root") return std::string("staying root, as asked");
  // No other thread looks users up (getpwnam's buffer is shared only with getpw* calls).
  // NOLINTNEXTLINE(concurrency-mt-unsafe)
  const passwd* entry = getpwnam(user.c_str());
  if (!entry) return make_error("no such user \"" + user + "\" to drop privileges to");
  const uid_t uid = entry->pw_uid;
  const gid_t gid = entry->pw_gid;
  if (setgroups(0, nullptr) != 0) return make_error(std::string("setgroups: ") + errno_text(errno));
  if (setgid(gid) != 0) return make_error(std::string("setgid: ") + errno_text(errno));
  if (setuid(uid) != 0) return make_error(std::string("setuid: ") + errno_text(errno));
  if (setuid(0) == 0) return make_error("root could be regained after dropping privileges");
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  return "now uid " + std::to_string(uid) + " (" + user + ")";
}

}  // namespace blackout
