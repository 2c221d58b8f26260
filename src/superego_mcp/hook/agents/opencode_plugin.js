// superego-mcp plugin for OpenCode (written by `superego-mcp hooks install --agent opencode`;
// reinstalling or uninstalling replaces or removes this file, so do not edit it by hand).
//
// Before every tool call, OpenCode runs "tool.execute.before"; this plugin sends the call to
// `superego-mcp hook --agent opencode` and lets it run only when Superego answers allow or
// defer. Any other answer, and every failure of its own (the command missing, crashing,
// hanging, printing something else), throws: a throw blocks the call in OpenCode and its
// message is what the model reads. See docs/agents.md in the superego-mcp project.

import { spawn } from "node:child_process"

const COMMAND = __SUPEREGO_ARGV__
// The hook answers within 5 s whatever happens; past this the call is blocked.
const TIMEOUT_MS = __SUPEREGO_TIMEOUT_MS__
const MAX_ANSWER = 1024 * 1024

function block(reason) {
  return new Error(reason)
}

function judge(payload) {
  return new Promise((resolve, reject) => {
    let child
    try {
      child = spawn(COMMAND[0], COMMAND.slice(1), { stdio: ["pipe", "pipe", "pipe"] })
    } catch (err) {
      reject(block(`Superego could not start (${err.message}); the call is blocked.`))
      return
    }
    const out = []
    const err = []
    let size = 0
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(block(`Superego did not answer within ${TIMEOUT_MS} ms; the call is blocked.`))
    }, TIMEOUT_MS)
    child.on("error", (e) => {
      clearTimeout(timer)
      reject(block(`Superego could not run (${e.message}); the call is blocked.`))
    })
    child.stdout.on("data", (chunk) => {
      size += chunk.length
      if (size <= MAX_ANSWER) out.push(chunk)
    })
    child.stderr.on("data", (chunk) => err.push(chunk))
    child.on("close", (code) => {
      clearTimeout(timer)
      const stderr = Buffer.concat(err).toString("utf8").trim()
      if (code === 2) {
        reject(block(stderr || "Superego blocked this call."))
        return
      }
      let answer
      try {
        answer = JSON.parse(Buffer.concat(out).toString("utf8"))
      } catch {
        answer = null
      }
      if (code !== 0 || answer === null || typeof answer !== "object") {
        reject(block(`Superego gave no usable answer (exit ${code}); the call is blocked. ${stderr}`))
        return
      }
      resolve(answer)
    })
    child.stdin.on("error", () => {}) // a child that exits early is reported by "close"
    child.stdin.end(JSON.stringify(payload))
  })
}

export const SuperegoPlugin = async ({ directory, worktree }) => ({
  "tool.execute.before": async (input, output) => {
    const answer = await judge({
      tool: input.tool,
      sessionID: input.sessionID,
      callID: input.callID,
      args: output.args,
      directory,
      worktree,
    })
    if (answer.decision === "allow" || answer.decision === "defer") return
    throw block(typeof answer.reason === "string" && answer.reason ? answer.reason : "Superego blocked this call.")
  },
})
