// File and memory inputs, and the gzip (zlib) and bzip2 (libbz2) decoders in front of them;
// see byte_source.hpp. Concatenated gzip members and bzip2 streams are read as one stream,
// as gunzip and bunzip2 do; bytes after the last member that start no new member are ignored.
#include "bgp/byte_source.hpp"

#include <bzlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "util/strings.hpp"

namespace blackout::bgp {
namespace {

inline constexpr std::size_t input_chunk = 256 * 1024;

class RawInput {
 public:
  virtual ~RawInput() = default;
  virtual Expected<std::size_t> read(std::uint8_t* into, std::size_t size) = 0;
};

class FileInput final : public RawInput {
 public:
  explicit FileInput(int fd) : fd_(fd) {}
  ~FileInput() override { ::close(fd_); }
  FileInput(const FileInput&) = delete;
  FileInput& operator=(const FileInput&) = delete;
  Expected<std::size_t> read(std::uint8_t* into, std::size_t size) override {
    for (;;) {
      const ssize_t n = ::read(fd_, into, size);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return make_error(std::string("read failed: ") + errno_text(errno));
    }
  }

 private:
  int fd_;
};

class MemoryInput final : public RawInput {
 public:
  explicit MemoryInput(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  Expected<std::size_t> read(std::uint8_t* into, std::size_t size) override {
    const std::size_t n = std::min(size, bytes_.size() - position_);
    if (n > 0) std::memcpy(into, bytes_.data() + position_, n);
    position_ += n;
    return n;
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t position_ = 0;
};

// The compressed (or plain) bytes, buffered so that the first bytes can be looked at before
// deciding how to decode them.
class InputBuffer {
 public:
  explicit InputBuffer(std::unique_ptr<RawInput> raw) : raw_(std::move(raw)), buffer_(input_chunk) {}

  // Makes at least `count` bytes available unless the input ends first.
  Expected<bool> ensure(std::size_t count) {
    while (available() < count && !eof_) {
      if (begin_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, available());
        end_ -= begin_;
        begin_ = 0;
      }
      auto n = raw_->read(buffer_.data() + end_, buffer_.size() - end_);
      if (!n) return n.error();
      if (*n == 0) eof_ = true;
      end_ += *n;
      consumed_ += *n;
    }
    return available() >= count;
  }
  [[nodiscard]] std::size_t available() const { return end_ - begin_; }
  [[nodiscard]] const std::uint8_t* data() const { return buffer_.data() + begin_; }
  void consume(std::size_t count) { begin_ += count; }
  [[nodiscard]] bool eof() const { return eof_; }
  [[nodiscard]] std::uint64_t consumed() const { return consumed_ - available(); }
  bool starts_with(std::initializer_list<std::uint8_t> magic) const {
    return available() >= magic.size() && std::equal(magic.begin(), magic.end(), data());
  }

 private:
  std::unique_ptr<RawInput> raw_;
  std::vector<std::uint8_t> buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::uint64_t consumed_ = 0;
  bool eof_ = false;
};

class PlainSource final : public ByteSource {
 public:
  explicit PlainSource(InputBuffer input) : input_(std::move(input)) {}
  Expected<std::size_t> read(std::span<std::uint8_t> into) override {
    auto more = input_.ensure(1);
    if (!more) return more.error();
    const std::size_t n = std::min(into.size(), input_.available());
    if (n > 0) std::memcpy(into.data(), input_.data(), n);
    input_.consume(n);
    return n;
  }
  [[nodiscard]] Compression compression() const override { return Compression::none; }
  [[nodiscard]] std::uint64_t raw_bytes() const override { return input_.consumed(); }

 private:
  InputBuffer input_;
};

class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(InputBuffer input) : input_(std::move(input)) {
    if (inflateInit2(&stream_, 15 + 16) != Z_OK) throw std::bad_alloc();
  }
  ~GzipSource() override { inflateEnd(&stream_); }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  Expected<std::size_t> read(std::span<std::uint8_t> into) override {
    std::size_t produced = 0;
    while (produced == 0 && !finished_ && !into.empty()) {
      auto more = input_.ensure(1);
      if (!more) return more.error();
      if (input_.available() == 0) return make_error("gzip stream is truncated (the file ends inside it)");
      stream_.next_in = const_cast<Bytef*>(input_.data());
      stream_.avail_in = static_cast<uInt>(std::min<std::size_t>(input_.available(), 1U << 30));
      stream_.next_out = into.data() + produced;
      stream_.avail_out = static_cast<uInt>(std::min<std::size_t>(into.size() - produced, 1U << 30));
      const uInt in_before = stream_.avail_in;
      const uInt out_before = stream_.avail_out;
      const int status = inflate(&stream_, Z_NO_FLUSH);
      input_.consume(in_before - stream_.avail_in);
      produced += out_before - stream_.avail_out;
      if (status == Z_STREAM_END) {
        // Another member may follow (gzip files may be concatenated).
        auto peeked = input_.ensure(2);
        if (!peeked) return peeked.error();
        if (input_.starts_with({0x1f, 0x8b})) inflateReset(&stream_);
        else finished_ = true;
      } else if (status != Z_OK && status != Z_BUF_ERROR) {
        return make_error(std::string("gzip data is corrupt: ") + (stream_.msg != nullptr ? stream_.msg : "inflate failed"));
      }
    }
    return produced;
  }
  [[nodiscard]] Compression compression() const override { return Compression::gzip; }
  [[nodiscard]] std::uint64_t raw_bytes() const override { return input_.consumed(); }

 private:
  InputBuffer input_;
  z_stream stream_{};
  bool finished_ = false;
};

class Bzip2Source final : public ByteSource {
 public:
  explicit Bzip2Source(InputBuffer input) : input_(std::move(input)) {
    if (BZ2_bzDecompressInit(&stream_, 0, 0) != BZ_OK) throw std::bad_alloc();
  }
  ~Bzip2Source() override { BZ2_bzDecompressEnd(&stream_); }
  Bzip2Source(const Bzip2Source&) = delete;
  Bzip2Source& operator=(const Bzip2Source&) = delete;

  Expected<std::size_t> read(std::span<std::uint8_t> into) override {
    std::size_t produced = 0;
    while (produced == 0 && !finished_ && !into.empty()) {
      auto more = input_.ensure(1);
      if (!more) return more.error();
      if (input_.available() == 0) return make_error("bzip2 stream is truncated (the file ends inside it)");
      stream_.next_in = reinterpret_cast<char*>(const_cast<std::uint8_t*>(input_.data()));
      stream_.avail_in = static_cast<unsigned>(std::min<std::size_t>(input_.available(), 1U << 30));
      stream_.next_out = reinterpret_cast<char*>(into.data() + produced);
      stream_.avail_out = static_cast<unsigned>(std::min<std::size_t>(into.size() - produced, 1U << 30));
      const unsigned in_before = stream_.avail_in;
      const unsigned out_before = stream_.avail_out;
      const int status = BZ2_bzDecompress(&stream_);
      input_.consume(in_before - stream_.avail_in);
      produced += out_before - stream_.avail_out;
      if (status == BZ_STREAM_END) {
        auto peeked = input_.ensure(3);
        if (!peeked) return peeked.error();
        if (input_.starts_with({'B', 'Z', 'h'})) {
          BZ2_bzDecompressEnd(&stream_);
          stream_ = bz_stream{};
          if (BZ2_bzDecompressInit(&stream_, 0, 0) != BZ_OK) throw std::bad_alloc();
        } else {
          finished_ = true;
        }
      } else if (status != BZ_OK) {
        return make_error("bzip2 data is corrupt (libbz2 error " + std::to_string(status) + ")");
      }
    }
    return produced;
  }
  [[nodiscard]] Compression compression() const override { return Compression::bzip2; }
  [[nodiscard]] std::uint64_t raw_bytes() const override { return input_.consumed(); }

 private:
  InputBuffer input_;
  bz_stream stream_{};
  bool finished_ = false;
};

Expected<std::unique_ptr<ByteSource>> decoding_source(std::unique_ptr<RawInput> raw) {
  InputBuffer input(std::move(raw));
  auto peeked = input.ensure(3);
  if (!peeked) return peeked.error();
  if (input.starts_with({0x1f, 0x8b})) return std::unique_ptr<ByteSource>(std::make_unique<GzipSource>(std::move(input)));
  if (input.starts_with({'B', 'Z', 'h'})) return std::unique_ptr<ByteSource>(std::make_unique<Bzip2Source>(std::move(input)));
  return std::unique_ptr<ByteSource>(std::make_unique<PlainSource>(std::move(input)));
}

}  // namespace

const char* to_string(Compression compression) {
  switch (compression) {
    case Compression::gzip: return "gzip";
    case Compression::bzip2: return "bzip2";
    case Compression::none: break;
  }
  return "none";
}

Expected<std::unique_ptr<ByteSource>> open_file_source(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(std::string("cannot open: ") + errno_text(errno));
  return decoding_source(std::make_unique<FileInput>(fd));
}

std::unique_ptr<ByteSource> memory_source(std::span<const std::uint8_t> bytes) {
  auto source = decoding_source(std::make_unique<MemoryInput>(bytes));
  return std::move(*source);  // memory never fails to read
}

}  // namespace blackout::bgp
