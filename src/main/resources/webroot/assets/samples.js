// A sample program per runtime (by name), shown when a runtime is picked and the editor holds no
// program of the user's own; and the editor's mode (syntax highlighting) for each.
'use strict';

// eslint-disable-next-line no-unused-vars
const SAMPLES = {
  sh: {
    mode: 'text/x-sh',
    code: `echo "hello from $(uname -s)"
for i in 1 2 3; do
    printf '\\033[32mtick %s\\033[0m\\n' "$i"
    sleep 0.5
done
echo "oops" >&2
read -r name && echo "hi, $name"
`,
  },
  bash: {
    mode: 'text/x-sh',
    code: `#!/usr/bin/env bash
declare -A colours=([red]=31 [green]=32 [blue]=34)
for name in "\${!colours[@]}"; do
    printf '\\e[%sm%s\\e[0m\\n' "\${colours[$name]}" "$name"
done
read -r -p "your name? " name && echo "hi, $name"
`,
  },
  python: {
    mode: 'text/x-python',
    code: `import sys
import numpy as np
import matplotlib.pyplot as plt

x = np.linspace(0, 4 * np.pi, 400)
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(x, np.sin(x), label="sin")
ax.plot(x, np.cos(x), label="cos")
ax.legend()
fig.savefig("out/plot.png", dpi=80)  # files under out/ come back with the result
print(f"\\033[36mplotted {len(x)} points into out/plot.png\\033[0m")
print("python", sys.version.split()[0])
name = sys.stdin.readline().strip()
print(f"hi, {name or 'stranger'}")
`,
  },
  javascript: {
    mode: 'text/javascript',
    code: `const lines = [];
process.stdin.on('data', (chunk) => lines.push(chunk.toString()));
process.stdin.on('end', () => {
    const name = lines.join('').trim() || 'stranger';
    console.log(\`\\x1b[35mhi, \${name}\\x1b[0m from node \${process.version}\`);
});
`,
  },
  c: {
    mode: 'text/x-csrc',
    code: `#include <stdio.h>

int main(void) {
    char name[64] = "stranger";
    if (scanf("%63s", name) != 1) {
        fprintf(stderr, "no name on stdin\\n");
    }
    for (int i = 1; i <= 3; i++) {
        printf("\\033[33m%d squared is %d\\033[0m\\n", i, i * i);
    }
    printf("hi, %s\\n", name);
    return 0;
}
`,
  },
  'c++': {
    mode: 'text/x-c++src',
    code: `#include <iostream>
#include <string>
#include <vector>

int main() {
    std::vector<int> v{3, 1, 2};
    for (int x : v) {
        std::cout << "\\033[34m" << x << "\\033[0m\\n";
    }
    std::string name;
    std::getline(std::cin, name);
    std::cout << "hi, " << (name.empty() ? "stranger" : name) << std::endl;
    return 0;
}
`,
  },
};
