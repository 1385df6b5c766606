// pictor: text prompts to PNG images. Everything lives in src/app/; this only calls it.
#include "app/commands.h"

int main(int argc, char** argv) { return pictor::app::Main(argc, argv); }
