// Translations: Django's JavaScript catalogue (/i18n/js/, loaded by base.html) defines window.gettext.
const gettext = window.gettext || ((text) => text);
const interpolate = window.interpolate || ((text, values) => text.replace(/%\((\w+)\)s/g, (_, name) => values[name]));
// An interactive three.js view of a GLB preview: orbit controls, a soft room light, the camera fitted to the
// part, and optional highlight points or segments from the analysis report.
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
import { RoomEnvironment } from "three/addons/environments/RoomEnvironment.js";

const HIGHLIGHT_COLOURS = ["#d7263d", "#f49d37", "#1b998b", "#7b2cbf", "#2e86ab"];
const BACKGROUND = 0xe9edf2;

function supportsWebGL() {
  try {
    const canvas = document.createElement("canvas");
    return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
  } catch {
    return false;
  }
}

function isPoint(value) {
  return Array.isArray(value) && value.length === 3 && value.every((v) => Number.isFinite(v));
}

export class Viewer {
  constructor(container) {
    this.container = container;
    this.note = container.querySelector("[data-viewer-note]");
    this.model = null;
    this.overlay = new THREE.Group();
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.renderer.setClearColor(BACKGROUND);
    this.renderer.outputColorSpace = THREE.SRGBColorSpace;
    this.renderer.toneMapping = THREE.NeutralToneMapping;
    container.prepend(this.renderer.domElement);

    this.scene = new THREE.Scene();
    this.scene.background = new THREE.Color(BACKGROUND);
    const environment = new THREE.PMREMGenerator(this.renderer);
    this.scene.environment = environment.fromScene(new RoomEnvironment(), 0.04).texture;
    this.scene.environmentIntensity = 0.55;
    environment.dispose();
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x8d96a3, 0.35));
    const sun = new THREE.DirectionalLight(0xffffff, 1.1);
    sun.position.set(1, -1.5, 2);
    this.scene.add(sun);
    this.scene.add(this.overlay);

    // Meshes come from the analysis in millimetres with Z up (the build plate is z = 0).
    this.camera = new THREE.PerspectiveCamera(40, 1, 0.1, 10000);
    this.camera.up.set(0, 0, 1);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.enableDamping = false;
    this.controls.listenToKeyEvents(container);
    this.controls.addEventListener("change", () => this.render());

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();
  }

  setNote(text) {
    if (this.note) {
      this.note.textContent = text;
      this.note.hidden = !text;
    }
  }

  resize() {
    const width = Math.max(this.container.clientWidth, 1);
    const height = Math.max(this.container.clientHeight, 1);
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.render();
  }

  render() {
    this.renderer.render(this.scene, this.camera);
  }

  async loadUrl(url) {
    const loader = new GLTFLoader();
    const gltf = await loader.loadAsync(url);
    this.show(gltf.scene);
  }

  async loadBuffer(buffer) {
    const loader = new GLTFLoader();
    const gltf = await loader.parseAsync(buffer, "");
    this.show(gltf.scene);
  }

  show(object) {
    const firstModel = this.model === null;
    if (this.model) {
      this.scene.remove(this.model);
      this.model.traverse((child) => {
        if (child.isMesh) {
          child.geometry.dispose();
          (Array.isArray(child.material) ? child.material : [child.material]).forEach((m) => m.dispose());
        }
      });
    }
    this.model = object;
    this.scene.add(object);
    this.updateGrid();
    // A template preview that changes keeps the camera where the customer put it.
    if (firstModel) this.fit();
    else this.render();
    this.container.dataset.state = "rendered";
    this.container.dataset.renders = String(Number(this.container.dataset.renders || 0) + 1);
    this.setNote("");
  }

  bounds() {
    return new THREE.Box3().setFromObject(this.model || this.overlay);
  }

  updateGrid() {
    if (this.grid) {
      this.scene.remove(this.grid);
      this.grid.geometry.dispose();
    }
    const box = this.bounds();
    const size = box.getSize(new THREE.Vector3());
    const span = Math.max(size.x, size.y, 10) * 1.6;
    const step = span > 200 ? 20 : span > 60 ? 10 : 5;
    const cells = Math.max(2, Math.ceil(span / step));
    this.grid = new THREE.GridHelper(cells * step, cells, 0x9aa5b1, 0xc9d0d8);
    this.grid.rotation.x = Math.PI / 2; // GridHelper lies in XZ; the plate is XY.
    const center = box.getCenter(new THREE.Vector3());
    this.grid.position.set(center.x, center.y, box.min.z);
    this.scene.add(this.grid);
  }

  fit() {
    const box = this.bounds();
    if (box.isEmpty()) return;
    const center = box.getCenter(new THREE.Vector3());
    const radius = Math.max(box.getSize(new THREE.Vector3()).length() / 2, 1);
    const distance = (radius / Math.sin(THREE.MathUtils.degToRad(this.camera.fov / 2))) * 1.15;
    const direction = new THREE.Vector3(0.9, -1.3, 0.85).normalize();
    this.camera.position.copy(center).addScaledVector(direction, distance);
    this.camera.near = Math.max(distance / 100, 0.01);
    this.camera.far = distance * 100;
    this.camera.updateProjectionMatrix();
    this.controls.target.copy(center);
    this.controls.update();
    this.render();
  }

  // highlights: {name: [[x, y, z], ...] | [[[x, y, z], [x, y, z]], ...]}, coordinates in millimetres.
  setHighlights(highlights, legend) {
    this.overlay.clear();
    if (!highlights || typeof highlights !== "object") return [];
    const shown = [];
    const radius = Math.max(this.bounds().getSize(new THREE.Vector3()).length() / 250, 0.2);
    Object.entries(highlights).forEach(([name, items], index) => {
      if (!Array.isArray(items) || items.length === 0) return;
      const colour = new THREE.Color(HIGHLIGHT_COLOURS[index % HIGHLIGHT_COLOURS.length]);
      const points = items.filter(isPoint);
      const segments = items.filter((item) => Array.isArray(item) && item.length === 2 && item.every(isPoint));
      if (points.length) {
        const geometry = new THREE.BufferGeometry().setAttribute(
          "position",
          new THREE.Float32BufferAttribute(points.flat(), 3),
        );
        const material = new THREE.PointsMaterial({ color: colour, size: radius * 4, depthTest: false });
        const cloud = new THREE.Points(geometry, material);
        cloud.renderOrder = 2;
        this.overlay.add(cloud);
      }
      if (segments.length) {
        const geometry = new THREE.BufferGeometry().setAttribute(
          "position",
          new THREE.Float32BufferAttribute(segments.flat(2), 3),
        );
        const lines = new THREE.LineSegments(geometry, new THREE.LineBasicMaterial({ color: colour, depthTest: false }));
        lines.renderOrder = 2;
        this.overlay.add(lines);
      }
      if (points.length || segments.length) shown.push({ name, count: points.length + segments.length, colour });
    });
    if (legend && shown.length) {
      const list = document.createElement("ul");
      list.className = "viewer-legend";
      shown.forEach(({ name, count, colour }) => {
        const item = document.createElement("li");
        const swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = `#${colour.getHexString()}`;
        item.append(swatch, `${name.replaceAll("_", " ")} (${count})`);
        list.append(item);
      });
      this.container.append(list);
    }
    this.render();
    return shown;
  }
}

export function createViewer(container) {
  if (!supportsWebGL()) {
    container.dataset.state = "unsupported";
    const note = container.querySelector("[data-viewer-note]");
    if (note) note.textContent = gettext("This browser cannot show 3D (WebGL is off).");
    return null;
  }
  return new Viewer(container);
}
