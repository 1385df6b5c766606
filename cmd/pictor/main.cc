#include <cstdio>

int main() {
  std::puts("pictor " PICTOR_VERSION);
  return 0;
}
