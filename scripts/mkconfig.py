#!/usr/bin/env python3
"""Partition config compiler: a board's declarative .cfg -> generated C.

    # comment
    vm NAME harts=1[,2...] ram=16M image=APP|PATH [args="..."] [base=0x...]
           [vf=yes mac=02:00:00:00:00:01 [mtu=1500] [policy=tx-csum,tso4,...]
            [SETTING=VALUE...]] [irq=plic|imsic]
    nic hart=3 [ram=32M image=APP|PATH] [policy=tx-csum,tso4,tso6,uso,rx-csum]
        [port=pass|wire]

nic without ram=/image= only reserves the hart; with them the hart runs the
NIC firmware in a partition of its own. policy= lists the offloads the
admin allows (default all; "none" for none): on the nic line host-wide, on a
vm line for that VM's VF. VF ids follow the order of the vm lines with vf=yes.
SETTING=VALUE (vf=yes only) is one of the VF's switch settings, named by its
word in nicif/vf_param.h's NIC_VF_PARAMS list, which is read from there so
that the config takes exactly what the NIC and the console's `set vf` take:
spoofchk, dhcp-guard, router-guard (on|off, also yes|no, 1|0), storm
(frames/s), max-tx-rate (Mbit/s), tx-burst (KiB); decimal numbers only. A
setting not given is its default; --help ends with the list as read.
irq=imsic (AIA boards) gives each vCPU an IMSIC guest interrupt file and
the VF's interrupts as MSIs into it; irq=plic (the default) the virtual PLIC.
port= is how the NIC drives its physical port: pass (default) lets
super-frames and sums left undone cross it with their virtio_net_hdr, wire
sends only wire frames (at most an MTU, every sum filled: a real PHY).

image= is an app name (build/riscv/apps/NAME.bin) or a path to a raw binary
(it contains '/' or ends in .bin; relative paths are looked up beside the
config file first, then from the current directory). ram= and base= take
plain or 0x numbers with an optional K/M/G suffix.

Modes:
  mkconfig.py CFG --apps DIR --images          print the image paths
  mkconfig.py CFG --apps DIR --out DIR         write config.c and images.S
              [--external LIST]                images not linked in: the hv
                                               finds them at boot in the DT's
                                               /chosen/hypervisor-images; LIST
                                               gets one line per image,
                                               "<node> <path> <size>"
  mkconfig.py --guests OUT.cfg A.bin [B.bin..]  write a config, one VM per
                                               image on harts 1, 2, ...

Semantic checks (overlaps, harts present, image size) are NOT done here but
by the C validator hv/core/vm_config.c, which the build runs on the linked
image.

Exit status: 0 done, 1 the config has an error (one line), 2 bad usage.
"""
import os
import re
import shlex
import sys

USAGE = """usage: mkconfig.py CFG --apps DIR --images
       mkconfig.py CFG --apps DIR --out DIR [--external LIST]
       mkconfig.py --guests OUT.cfg A.bin [B.bin..]
       mkconfig.py -h | --help"""
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,15}$")
MAC_RE = re.compile(r"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$")
# NIC_POL_* of nicif/mbox.h
POLICY_BITS = {"tx-csum": 1 << 0, "tso4": 1 << 1, "tso6": 1 << 2, "uso": 1 << 3,
               "rx-csum": 1 << 4}
POLICY_ALL = 0x1F
# The VF's switch settings: each X(ID, "word", NIC_VFP_BOOL|NIC_VFP_NUM, min,
# max, default, "unit") of the NIC_VF_PARAMS list in nicif/vf_param.h.
VF_PARAM_H = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nicif",
                          "vf_param.h")
VF_PARAM_RE = re.compile(r'X\(\s*(\w+),\s*"([^"]+)",\s*NIC_VFP_(BOOL|NUM),\s*([0-9]+),\s*([0-9]+),'
                         r'\s*([0-9]+),\s*"([^"]*)"\s*\)')


class ConfigError(Exception):
    pass


def read_vf_params(path=VF_PARAM_H):
    """The settings of the NIC_VF_PARAMS list, in key order. An entry this
    cannot read (an expression for a bound, say) stops everything rather
    than leave a setting out of the config."""
    with open(path) as f:
        text = f.read()
    start = text.find("#define NIC_VF_PARAMS(X)")
    if start < 0:
        raise RuntimeError(f"{path}: no '#define NIC_VF_PARAMS(X)'")
    lines = text[start:].split("\n")
    end = next(i for i, l in enumerate(lines) if not l.rstrip().endswith("\\"))
    body = re.sub(r"/\*.*?\*/", "", " ".join(l.rstrip(" \t\\") for l in lines[:end + 1]),
                  flags=re.S)
    body = body[len("#define NIC_VF_PARAMS(X)"):]
    params = []
    for entry in re.findall(r"X\([^)]*\)", body):
        m = VF_PARAM_RE.fullmatch(entry)
        if not m:
            raise RuntimeError(f"{path}: cannot read NIC_VF_PARAMS entry '{entry}'")
        params.append({"id": m[1], "word": m[2], "bool": m[3] == "BOOL", "min": int(m[4]),
                       "max": int(m[5]), "default": int(m[6]), "unit": m[7]})
    if not params:
        raise RuntimeError(f"{path}: NIC_VF_PARAMS lists nothing")
    return params


VF_PARAMS = read_vf_params()
VF_PARAM_WORDS = [p["word"] for p in VF_PARAMS]


def parse_vf_param(p, text):
    """The value text gives setting p, or None: as nic_vf_param_parse."""
    if p["bool"]:
        value = {"on": 1, "yes": 1, "1": 1, "off": 0, "no": 0, "0": 0}.get(text)
    else:
        value = int(text) if re.fullmatch(r"[0-9]+", text) else None
    return value if value is not None and p["min"] <= value <= p["max"] else None


def vf_param_expect(p):
    """What a bad value of p was expected to be, in nic_vf_param_parse's words."""
    if p["bool"]:
        return "on or off"
    return f"a number from {p['min']} to {p['max']} ({p['unit']})"


def parse_size(text, where):
    m = re.fullmatch(r"(0x[0-9a-fA-F]+|[0-9]+)([KMG]?)", text)
    if not m:
        raise ConfigError(f"{where}: bad size or address '{text}'")
    mult = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2)]
    # int(.., 0) refuses leading zeros ("01G"): the base is the prefix's
    digits = m.group(1)
    value = int(digits, 16 if digits.startswith("0x") else 10) * mult
    # the generated C holds it in a uint64_t: a larger literal fails the build
    if value >= 1 << 64:
        raise ConfigError(f"{where}: size or address '{text}' too large")
    return value


def parse_policy(text, where):
    if text == "none":
        return 0
    bits = 0
    for name in text.split(","):
        if name == "all":
            bits |= POLICY_ALL
        elif name in POLICY_BITS:
            bits |= POLICY_BITS[name]
        else:
            raise ConfigError(f"{where}: unknown offload '{name}' in policy= "
                              f"({', '.join(POLICY_BITS)}, all, none)")
    return bits


def parse_nic(opts, where, cfg_path, apps_dir):
    unknown = set(opts) - {"hart", "ram", "image", "policy", "port"}
    # [0-9], not isdigit(): that takes '²' (int() fails) and '٣' (read as 3)
    if "hart" not in opts or not re.fullmatch(r"[0-9]+", opts["hart"]) or unknown:
        raise ConfigError(f"{where}: nic takes hart=N [ram=SIZE image=APP] [policy=...] "
                          "[port=pass|wire]")
    if opts.get("port", "pass") not in ("pass", "wire"):
        raise ConfigError(f"{where}: nic: port= is pass or wire")
    if int(opts["hart"]) > 255:  # an int32_t in the C; a wrapped -1 would mean "no NIC"
        raise ConfigError(f"{where}: nic: hart number too large")
    if ("ram" in opts) != ("image" in opts):
        raise ConfigError(f"{where}: nic: ram= and image= go together")
    return {
        "hart": int(opts["hart"]),
        "ram": parse_size(opts["ram"], where) if "ram" in opts else 0,
        "image": resolve_image(opts["image"], cfg_path, apps_dir) if "image" in opts else None,
        "policy": parse_policy(opts["policy"], where) if "policy" in opts else POLICY_ALL,
        "port_wire": opts.get("port", "pass") == "wire",
        "where": where,
    }


def parse_vf(opts, name, where):
    vf = opts.get("vf", "no")
    if vf not in ("yes", "no"):
        raise ConfigError(f"{where}: vm {name}: vf= is yes or no")
    if vf == "no":
        extra = ({"mac", "mtu", "policy"} | set(VF_PARAM_WORDS)) & set(opts)
        if extra:
            raise ConfigError(f"{where}: vm {name}: {', '.join(sorted(extra))} without vf=yes")
        return None
    if "mac" not in opts:
        raise ConfigError(f"{where}: vm {name}: vf=yes needs mac=")
    if not MAC_RE.match(opts["mac"]):
        raise ConfigError(f"{where}: vm {name}: bad mac '{opts['mac']}' (xx:xx:xx:xx:xx:xx)")
    mtu = opts.get("mtu", "1500")
    if not re.fullmatch(r"[0-9]+", mtu) or int(mtu) > 65535:
        raise ConfigError(f"{where}: vm {name}: bad mtu '{mtu}'")
    params = []
    for p in VF_PARAMS:
        text = opts.get(p["word"])
        value = p["default"] if text is None else parse_vf_param(p, text)
        if value is None:
            raise ConfigError(f"{where}: vm {name}: {p['word']}={text}: "
                              f"expected {vf_param_expect(p)}")
        params.append(value)
    # The NIC refuses a guarantee above the cap (nic-firmware/vf_policy.c).
    rate = {p["word"]: v for p, v in zip(VF_PARAMS, params)}
    if rate.get("max-tx-rate") and rate.get("min-tx-rate", 0) > rate["max-tx-rate"]:
        raise ConfigError(f"{where}: vm {name}: min-tx-rate={rate['min-tx-rate']} is above "
                          f"max-tx-rate={rate['max-tx-rate']}")
    return {
        "mac": [int(b, 16) for b in opts["mac"].split(":")],
        "mtu": int(mtu),
        "policy": parse_policy(opts["policy"], where) if "policy" in opts else POLICY_ALL,
        "params": params,
    }


def resolve_image(image, cfg_path, apps_dir):
    if "/" not in image and not image.endswith(".bin"):
        return os.path.join(apps_dir, image + ".bin")
    if not os.path.isabs(image):
        beside = os.path.join(os.path.dirname(os.path.abspath(cfg_path)), image)
        image = beside if os.path.exists(beside) else os.path.abspath(image)
    # inside the tree: relative, so that make's rules for it match
    rel = os.path.relpath(image)
    return image if rel.startswith("..") else rel


def parse(cfg_path, apps_dir):
    vms, nic = [], None
    with open(cfg_path) as f:
        lines = f.read().splitlines()
    for no, line in enumerate(lines, 1):
        where = f"{cfg_path}:{no}"
        try:
            words = shlex.split(line, comments=True)
        except ValueError as e:
            raise ConfigError(f"{where}: {e}")
        if not words:
            continue
        kind, rest = words[0], words[1:]
        if kind == "vm":
            if not rest or "=" in rest[0]:
                raise ConfigError(f"{where}: 'vm' needs a name first")
            name, kv = rest[0], rest[1:]
        elif kind == "nic":
            name, kv = None, rest
        else:
            raise ConfigError(f"{where}: unknown statement '{kind}' (vm, nic)")
        opts = {}
        for item in kv:
            if "=" not in item:
                raise ConfigError(f"{where}: expected key=value, got '{item}'")
            k, v = item.split("=", 1)
            if k in opts:
                raise ConfigError(f"{where}: '{k}' given twice")
            opts[k] = v
        if kind == "nic":
            if nic is not None:
                raise ConfigError(f"{where}: a second nic line")
            nic = parse_nic(opts, where, cfg_path, apps_dir)
            continue
        if not NAME_RE.match(name):
            raise ConfigError(f"{where}: vm '{name}': bad name (1-15 of A-Z a-z 0-9 _ -)")
        unknown = set(opts) - {"harts", "ram", "image", "args", "base", "vf", "mac", "mtu",
                               "policy", "irq", *VF_PARAM_WORDS}
        if unknown:
            raise ConfigError(f"{where}: vm {name}: unknown key(s) {', '.join(sorted(unknown))}")
        for k in ("harts", "ram", "image"):
            if k not in opts:
                raise ConfigError(f"{where}: vm {name}: missing {k}=")
        if not re.fullmatch(r"[0-9]+(,[0-9]+)*", opts["harts"]):
            raise ConfigError(f"{where}: vm {name}: harts= is a comma list of hart numbers")
        harts = [int(h) for h in opts["harts"].split(",")]
        if len(harts) > 8:
            raise ConfigError(f"{where}: vm {name}: at most 8 harts")
        if any(h > 255 for h in harts):
            raise ConfigError(f"{where}: vm {name}: hart number too large")
        if opts.get("irq", "plic") not in ("plic", "imsic"):
            raise ConfigError(f"{where}: vm {name}: irq= is plic or imsic")
        image = resolve_image(opts["image"], cfg_path, apps_dir)
        vms.append({
            "name": name,
            "harts": harts,
            "ram": parse_size(opts["ram"], where),
            "base": parse_size(opts["base"], where) if "base" in opts else 0,
            "image": image,
            "args": opts.get("args", ""),
            "vf": parse_vf(opts, name, where),
            "irq_imsic": opts.get("irq") == "imsic",
            "where": where,
        })
    if not vms:
        raise ConfigError(f"{cfg_path}: no vm lines")
    if nic is None:
        nic = {"hart": -1, "ram": 0, "image": None, "policy": POLICY_ALL, "port_wire": False,
               "where": cfg_path}
    return vms, nic


def c_string(s):
    out = '"'
    for ch in s.encode():
        if ch in (0x22, 0x5C):
            out += "\\" + chr(ch)
        elif 0x20 <= ch < 0x7F:
            out += chr(ch)
        else:
            out += "\\%03o" % ch
    return out + '"'


def write_if_changed(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(path, "w") as f:
        f.write(text)


def image_list(vms, nic):
    """(DT node, path) of every image in the order the hv looks them up
    under /chosen/hypervisor-images: each VM in config order, then the NIC."""
    out = [(f"vm-{vm['name']}", vm["image"], vm["where"], f"vm {vm['name']}") for vm in vms]
    if nic["image"]:
        out.append(("nic", nic["image"], nic["where"], "nic"))
    return out


def image_size(path, where, who):
    try:
        return os.path.getsize(path)
    except OSError:
        raise ConfigError(f"{where}: {who}: image {path} not found")


def external_list(vms, nic):
    """images.txt: "<node> <path> <size>" per image (the FIT packer reads it)."""
    lines = []
    for node, path, where, who in image_list(vms, nic):
        if any(ch.isspace() for ch in path):
            raise ConfigError(f"{where}: {who}: image path '{path}' has a blank "
                              "(images.txt is blank-separated)")
        lines.append(f"{node} {path} {image_size(path, where, who)}\n")
    return "".join(lines)


def generate(cfg_path, vms, nic, out_dir, external=None):
    os.makedirs(out_dir, exist_ok=True)
    c = [f"/* Generated by scripts/mkconfig.py from {cfg_path}: do not edit. */",
         '#include <hv/core/vm_config.h>', "",
         "static const struct vm_config vms[] = {"]
    for vm in vms:
        size = image_size(vm["image"], vm["where"], f"vm {vm['name']}")
        harts = ", ".join(str(h) for h in vm["harts"])
        c += ["\t{",
              f"\t\t.name = {c_string(vm['name'])},",
              f"\t\t.harts = {{{harts}}},",
              f"\t\t.num_vcpus = {len(vm['harts'])},",
              f"\t\t.ram_base = {vm['base']:#x}UL,",
              f"\t\t.ram_size = {vm['ram']:#x}UL,",
              f"\t\t.image_size = {size}UL,",
              f"\t\t.bootargs = {c_string(vm['args'])},"]
        if vm["vf"]:
            vf = vm["vf"]
            mac = ", ".join(f"{b:#04x}" for b in vf["mac"])
            params = ", ".join(f"[NIC_VFP_{p['id']}] = {v}u"
                               for p, v in zip(VF_PARAMS, vf["params"]))
            c += ["\t\t.vf = 1,", f"\t\t.mac = {{{mac}}},", f"\t\t.mtu = {vf['mtu']},",
                  f"\t\t.policy = {vf['policy']:#x}u,", f"\t\t.vf_param = {{{params}}},"]
        if vm["irq_imsic"]:
            c += ["\t\t.irq_imsic = 1,"]
        c += ["\t},"]
    c += ["};", "",
          "const struct hv_config hv_config = {",
          "\t.vms = vms,",
          f"\t.num_vms = {len(vms)},",
          f"\t.nic_hart = {nic['hart']},"]
    if external is not None:
        c += ["\t.images_external = 1,"]
    if nic["image"]:
        nsize = image_size(nic["image"], nic["where"], "nic")
        c += [f"\t.nic_ram_size = {nic['ram']:#x}UL,", f"\t.nic_image_size = {nsize}UL,"]
    c += [f"\t.nic_policy = {nic['policy']:#x}u,"]
    if nic["port_wire"]:
        c += ["\t.nic_port_wire = 1,"]
    c += ["};", ""]
    if external is not None:
        # no image linked in: the pointers stay 0, the hv takes the
        # addresses from /chosen/hypervisor-images (hv/main.c)
        s = [f"/* Generated by scripts/mkconfig.py from {cfg_path}: do not edit.",
             " * External images: none linked in (see images.txt). */",
             '\t.section .rodata.vm_images, "a"',
             "\t.balign 8", "\t.globl hv_vm_images", "hv_vm_images:"]
        s += ["\t.dword 0" for _ in vms]
        s += ["\t.globl hv_nic_image", "hv_nic_image:", ""]
        listing = external_list(vms, nic)
    else:
        s = [f"/* Generated by scripts/mkconfig.py from {cfg_path}: do not edit.",
             " * The pristine guest images, kept read-only for reboots. */",
             '\t.section .rodata.vm_images, "a"']
        for i, vm in enumerate(vms):
            s += ["\t.balign 16", f"vm_image_{i}:",
                  f'\t.incbin "{os.path.abspath(vm["image"])}"']
        s += ["\t.balign 8", "\t.globl hv_vm_images", "hv_vm_images:"]
        s += [f"\t.dword vm_image_{i}" for i in range(len(vms))]
        s += ["\t.balign 16", "\t.globl hv_nic_image", "hv_nic_image:"]
        if nic["image"]:
            s += [f'\t.incbin "{os.path.abspath(nic["image"])}"']
        s += [""]
    write_if_changed(os.path.join(out_dir, "config.c"), "\n".join(c))
    write_if_changed(os.path.join(out_dir, "images.S"), "\n".join(s))
    if external is not None:
        write_if_changed(external, listing)


def guests_cfg(out, images):
    lines = ["# Generated by `make run GUESTS=...`: one VM per image, harts 1, 2, ..."]
    seen = set()
    for i, img in enumerate(images, 1):
        base = re.sub(r"[^A-Za-z0-9_-]", "_", os.path.splitext(os.path.basename(img))[0])[:15]
        name = base or "vm"
        n = 2
        while name in seen:
            name = f"{base[:13]}{n}"
            n += 1
        seen.add(name)
        lines.append(f"vm {name} harts={i} ram=64M image={shlex.quote(os.path.abspath(img))}")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    write_if_changed(out, "\n".join(lines) + "\n")


def usage_error(msg):
    print(f"mkconfig.py: {msg}\n{USAGE}", file=sys.stderr)
    return 2


def main(argv):
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        print("\nVF settings (nicif/vf_param.h):")
        for p in VF_PARAMS:
            kind = "on|off" if p["bool"] else f"{p['min']}..{p['max']} {p['unit']}".rstrip()
            default = ("on" if p["default"] else "off") if p["bool"] else p["default"]
            print(f"  {p['word']}={kind}, default {default}")
        return 0
    if argv[:1] == ["--guests"]:
        if len(argv) < 3:
            return usage_error("--guests needs OUT.cfg and at least one image")
        guests_cfg(argv[1], argv[2:])
        return 0
    args = {"--apps": None, "--out": None, "--external": None}
    images_only = False
    cfg = None
    it = iter(argv)
    for a in it:
        if a in args:
            args[a] = next(it, None)
            if args[a] is None:
                return usage_error(f"{a} needs a value")
        elif a == "--images":
            images_only = True
        elif a.startswith("-"):
            return usage_error(f"unknown option '{a}'")
        elif cfg is None:
            cfg = a
        else:
            return usage_error(f"unexpected argument '{a}'")
    if cfg is None:
        return usage_error("no CFG file")
    if args["--apps"] is None:
        return usage_error("--apps DIR is required")
    if images_only == bool(args["--out"]):
        return usage_error("give one of --images and --out DIR")
    if args["--external"] is not None and images_only:
        return usage_error("--external goes with --out, not --images")
    try:
        vms, nic = parse(cfg, args["--apps"])
        if images_only:
            print(" ".join([vm["image"] for vm in vms] + ([nic["image"]] if nic["image"] else [])))
        else:
            generate(cfg, vms, nic, args["--out"], args["--external"])
    except (ConfigError, OSError) as e:
        print(f"config error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
