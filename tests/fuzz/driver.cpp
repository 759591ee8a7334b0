// Runs a fuzz target (LLVMFuzzerTestOneInput) as a regression test under GCC: every file of
// its seed corpus, then a fixed number of deterministic mutations of them (byte flips,
// truncations, insertions), so that the sanitizer build catches what a crash would show.
// With clang, the same target links against libFuzzer for real fuzzing (see docs).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS]\n", argv[0]);
    return 2;
  }
  const long mutations = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 20000;
  std::vector<std::string> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    seeds.push_back(buffer.str());
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "%s: the corpus is empty\n", argv[1]);
    return 1;
  }
  for (const std::string& seed : seeds) LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(seed.data()), seed.size());
  std::mt19937_64 random(20261125);
  for (long i = 0; i < mutations; ++i) {
    std::string input = seeds[random() % seeds.size()];
    const int edits = 1 + static_cast<int>(random() % 8);
    for (int e = 0; e < edits; ++e) {
      switch (random() % 4) {
        case 0:
          if (!input.empty()) input[random() % input.size()] = static_cast<char>(random());
          break;
        case 1:
          if (!input.empty()) input.resize(random() % input.size());
          break;
        case 2:
          input.insert(input.begin() + static_cast<long>(input.empty() ? 0 : random() % input.size()),
                       static_cast<char>(random()));
          break;
        case 3:
          if (input.size() > 1) {
            const std::size_t at = random() % input.size();
            input[at] = static_cast<char>(input[at] ^ (1 << (random() % 8)));
          }
          break;
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  }
  std::printf("%zu seeds and %ld mutations ran without a crash\n", seeds.size(), mutations);
  return 0;
}
